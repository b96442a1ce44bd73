package io.switchboard.ingress.intelligence;

import io.switchboard.events.IntelligenceEvent;
import io.switchboard.events.ci.IntelligenceConfiguration;
import io.switchboard.events.ci.IntelligenceParticipant;
import io.switchboard.events.ci.OperatorResult;
import io.switchboard.ids.EventIds;
import io.switchboard.ingress.http.MalformedInput;
import io.switchboard.ingress.http.StrictJson;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads a Conversation Intelligence webhook body — {@code accountId, conversationId, memoryStoreId,
 * intelligenceConfiguration {id, friendlyName, version}, operatorResults [{id, operator {id}, outputFormat, result,
 * dateCreated, executionDetails {trigger {on, timestamp}, participants [{id, profileId, type}]}}]} — into an
 * {@link IntelligenceEvent}. A body of another shape is {@link MalformedInput} (a 400). Each result value is
 * kept as JSON text: what it means depends on the operator, which only its consumers know.
 */
final class IntelligenceWebhook {
    private IntelligenceWebhook() {
    }

    /** The raw body as one JSON object ({@link StrictJson}'s checks). */
    static JsonObject body(byte[] raw) {
        if (raw.length == 0) {
            throw new MalformedInput("empty body");
        }
        try {
            return new JsonObject(StrictJson.text(raw));
        } catch (DecodeException | ClassCastException e) {
            throw MalformedInput.of(e);
        }
    }

    /** The configuration id the body names (checked before the rest is read, as TAC does). */
    static String configurationId(JsonObject body) {
        return required(str(object(body, "intelligenceConfiguration"), "id"), "intelligenceConfiguration.id");
    }

    static IntelligenceEvent parse(JsonObject body, Instant receivedAt) {
        String conversationId = required(str(body, "conversationId"), "conversationId");
        JsonObject configuration = object(body, "intelligenceConfiguration");
        Object version = configuration.getValue("version");
        if (version != null && !(version instanceof String || version instanceof Number)) {
            throw new MalformedInput("intelligenceConfiguration.version must be a string or a number");
        }
        List<OperatorResult> results = new ArrayList<>();
        JsonArray array = array(body, "operatorResults");
        for (int i = 0; i < array.size(); i++) {
            if (!(array.getValue(i) instanceof JsonObject result)) {
                throw new MalformedInput("operatorResults[" + i + "] must be an object");
            }
            results.add(operatorResult(result, "operatorResults[" + i + "]"));
        }
        return IntelligenceEvent.newBuilder()
                .setEventId(eventId(conversationId, results))
                .setConversationId(conversationId)
                .setOccurredAt(receivedAt)
                .setTraceId(EventIds.newTraceId())
                .setAccountId(str(body, "accountId"))
                .setMemoryStoreId(str(body, "memoryStoreId"))
                .setConfiguration(IntelligenceConfiguration.newBuilder()
                        .setId(configurationId(body))
                        .setFriendlyName(str(configuration, "friendlyName"))
                        .setVersion(version == null ? null : version.toString())
                        .build())
                .setOperatorResults(results)
                .build();
    }

    /** Twilio retries a webhook with the same operator results: the same id lets every consumer drop the copy. */
    static String eventId(String conversationId, List<OperatorResult> results) {
        return "ci_" + EventIds.derived(Stream.concat(Stream.of("ci", conversationId),
                results.stream().map(OperatorResult::getId).sorted()).toArray(String[]::new));
    }

    private static OperatorResult operatorResult(JsonObject result, String where) {
        JsonObject operator = optionalObject(result, "operator", where);
        JsonObject details = optionalObject(result, "executionDetails", where);
        JsonObject trigger = optionalObject(details, "trigger", where + ".executionDetails");
        List<IntelligenceParticipant> participants = new ArrayList<>();
        Object list = details.getValue("participants");
        if (list != null && !(list instanceof JsonArray)) {
            throw new MalformedInput(where + ".executionDetails.participants must be an array");
        }
        if (list instanceof JsonArray array) {
            for (Object item : array) {
                if (!(item instanceof JsonObject p)) {
                    throw new MalformedInput(where + ".executionDetails.participants must hold objects");
                }
                participants.add(IntelligenceParticipant.newBuilder().setId(str(p, "id"))
                        .setProfileId(str(p, "profileId")).setType(str(p, "type")).build());
            }
        }
        Object value = result.getValue("result");
        return OperatorResult.newBuilder()
                .setId(required(str(result, "id"), where + ".id"))
                .setOperatorId(str(operator, "id"))
                .setOutputFormat(str(result, "outputFormat"))
                .setResultJson(value == null ? null : Json.encode(value))
                .setDateCreated(str(result, "dateCreated"))
                .setTriggerOn(str(trigger, "on"))
                .setTriggerTimestamp(str(trigger, "timestamp"))
                .setParticipants(participants)
                .build();
    }

    private static JsonObject object(JsonObject parent, String name) {
        if (parent.getValue(name) instanceof JsonObject object) {
            return object;
        }
        throw new MalformedInput(name + " must be an object");
    }

    private static JsonObject optionalObject(JsonObject parent, String name, String where) {
        Object value = parent.getValue(name);
        if (value == null) {
            return new JsonObject();
        }
        if (value instanceof JsonObject object) {
            return object;
        }
        throw new MalformedInput(where + "." + name + " must be an object");
    }

    private static JsonArray array(JsonObject parent, String name) {
        if (parent.getValue(name) instanceof JsonArray array) {
            return array;
        }
        throw new MalformedInput(name + " must be an array");
    }

    /** A string field or null; a present value of another JSON type is malformed. */
    private static String str(JsonObject object, String name) {
        Object value = object.getValue(name);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        throw new MalformedInput(name + " must be a string");
    }

    private static String required(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new MalformedInput(name + " is required");
        }
        return value;
    }
}
