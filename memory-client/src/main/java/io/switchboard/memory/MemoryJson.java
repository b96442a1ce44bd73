package io.switchboard.memory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.events.Channel;
import io.switchboard.events.Memory;
import io.switchboard.events.Observation;
import io.switchboard.events.PastCommunication;
import io.switchboard.events.Summary;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The JSON of the memory-service HTTP API, shared by the service and {@link MemoryClient}. Field names are those of
 * the Avro records ({@code createdAtMillis}, {@code occurredAtMillis}: epoch millis).
 */
public final class MemoryJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private MemoryJson() {
    }

    public static String queryToJson(MemoryQuery q) {
        ObjectNode o = MAPPER.createObjectNode();
        putIfNotNull(o, "conversationId", q.conversationId());
        putIfNotNull(o, "profileId", q.profileId());
        putIfNotNull(o, "address", q.address());
        if (q.channel() != null) {
            o.put("channel", q.channel().name());
        }
        o.put("query", q.query());
        if (q.observationsLimit() != null) {
            o.put("observationsLimit", q.observationsLimit());
        }
        if (q.summariesLimit() != null) {
            o.put("summariesLimit", q.summariesLimit());
        }
        if (q.communicationsLimit() != null) {
            o.put("communicationsLimit", q.communicationsLimit());
        }
        if (q.relevanceThreshold() != null) {
            o.put("relevanceThreshold", q.relevanceThreshold());
        }
        return o.toString();
    }

    /** Parses a retrieve request; {@link IllegalArgumentException} for anything malformed. */
    public static MemoryQuery queryFromJson(String json) {
        JsonNode o = parseObject(json);
        Channel channel = null;
        String ch = text(o, "channel");
        if (ch != null) {
            try {
                channel = Channel.valueOf(ch.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown channel: " + ch);
            }
        }
        return new MemoryQuery(text(o, "conversationId"), text(o, "profileId"), text(o, "address"), channel,
                text(o, "query"), integer(o, "observationsLimit"), integer(o, "summariesLimit"),
                integer(o, "communicationsLimit"), number(o, "relevanceThreshold"));
    }

    public static String memoryToJson(Memory m) {
        ObjectNode o = MAPPER.createObjectNode();
        ArrayNode obs = o.putArray("observations");
        for (Observation x : m.getObservations()) {
            ObjectNode n = obs.addObject();
            putIfNotNull(n, "id", x.getId());
            n.put("content", x.getContent());
            if (x.getCreatedAtMillis() != null) {
                n.put("createdAtMillis", x.getCreatedAtMillis());
            }
            if (x.getScore() != null) {
                n.put("score", x.getScore());
            }
        }
        ArrayNode sums = o.putArray("summaries");
        for (Summary x : m.getSummaries()) {
            ObjectNode n = sums.addObject();
            putIfNotNull(n, "id", x.getId());
            n.put("content", x.getContent());
            if (x.getCreatedAtMillis() != null) {
                n.put("createdAtMillis", x.getCreatedAtMillis());
            }
        }
        ArrayNode comms = o.putArray("communications");
        for (PastCommunication x : m.getCommunications()) {
            ObjectNode n = comms.addObject();
            putIfNotNull(n, "id", x.getId());
            putIfNotNull(n, "conversationId", x.getConversationId());
            putIfNotNull(n, "authorAddress", x.getAuthorAddress());
            n.put("fromAgent", x.getFromAgent());
            n.put("channel", x.getChannel().name());
            n.put("text", x.getText());
            if (x.getOccurredAtMillis() != null) {
                n.put("occurredAtMillis", x.getOccurredAtMillis());
            }
        }
        return o.toString();
    }

    public static Memory memoryFromJson(String json) {
        JsonNode o = parseObject(json);
        List<Observation> observations = new ArrayList<>();
        for (JsonNode n : o.path("observations")) {
            observations.add(Observation.newBuilder().setId(text(n, "id")).setContent(n.path("content").asText(""))
                    .setCreatedAtMillis(longOrNull(n, "createdAtMillis")).setScore(number(n, "score")).build());
        }
        List<Summary> summaries = new ArrayList<>();
        for (JsonNode n : o.path("summaries")) {
            summaries.add(Summary.newBuilder().setId(text(n, "id")).setContent(n.path("content").asText(""))
                    .setCreatedAtMillis(longOrNull(n, "createdAtMillis")).build());
        }
        List<PastCommunication> communications = new ArrayList<>();
        for (JsonNode n : o.path("communications")) {
            Channel channel;
            try {
                channel = Channel.valueOf(n.path("channel").asText("UNKNOWN"));
            } catch (IllegalArgumentException e) {
                channel = Channel.UNKNOWN;
            }
            communications.add(PastCommunication.newBuilder().setId(text(n, "id"))
                    .setConversationId(text(n, "conversationId")).setAuthorAddress(text(n, "authorAddress"))
                    .setFromAgent(n.path("fromAgent").asBoolean(false)).setChannel(channel)
                    .setText(n.path("text").asText("")).setOccurredAtMillis(longOrNull(n, "occurredAtMillis")).build());
        }
        return Memory.newBuilder().setObservations(observations).setSummaries(summaries)
                .setCommunications(communications).build();
    }

    /** Parses a JSON object; {@link IllegalArgumentException} when it is not one. */
    public static JsonNode parseObject(String json) {
        JsonNode node;
        try {
            node = json == null ? null : MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed JSON: " + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("a JSON object is required");
        }
        return node;
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static String text(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string");
        }
        return n.asText();
    }

    private static Integer integer(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new IllegalArgumentException(field + " must be an integer");
        }
        return n.asInt();
    }

    private static Double number(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber()) {
            throw new IllegalArgumentException(field + " must be a number");
        }
        return n.asDouble();
    }

    private static Long longOrNull(JsonNode o, String field) {
        JsonNode n = o.get(field);
        return n == null || !n.canConvertToLong() ? null : n.asLong();
    }

    private static void putIfNotNull(ObjectNode o, String field, String value) {
        if (value != null) {
            o.put(field, value);
        }
    }
}
