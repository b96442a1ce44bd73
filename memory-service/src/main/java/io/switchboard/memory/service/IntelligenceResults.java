package io.switchboard.memory.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.events.IntelligenceEvent;
import io.switchboard.events.ci.IntelligenceParticipant;
import io.switchboard.events.ci.OperatorResult;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What Conversation Intelligence operator results add to Memory, decided as TAC's operator result processor does:
 * each result is routed by its operator id to the observation or the summary operator (others are ignored), written
 * for the profiles of its CUSTOMER participants only, and its content taken from the result by output format (JSON:
 * {@code payload}; CLASSIFICATION: {@code label}; EXTRACTION: {@code entities}; TEXT / GENERATION: {@code result}).
 * The content is then split into items: {@code {"observations":[{"content"}]}}, {@code {"summaries":[{"summary"}]}}
 * or {@code {"summary"}}, else the whole content is one item.
 *
 * <p>Every item gets an id derived from its operator result, so a redelivered or retried event yields the same ids.
 */
final class IntelligenceResults {
    private static final ObjectMapper JSON = new ObjectMapper();

    enum Kind { OBSERVATION, SUMMARY }

    /** One item of content: its stable id and text. */
    record Item(String id, String content) {
    }

    /** The items one operator result adds for one profile. */
    record Write(Kind kind, String profileId, String conversationId, String operatorResultId, String occurredAt,
                 long occurredAtMillis, List<Item> items) {
    }

    private final String observationOperatorId;
    private final String summaryOperatorId;

    IntelligenceResults(String observationOperatorId, String summaryOperatorId) {
        this.observationOperatorId = observationOperatorId;
        this.summaryOperatorId = summaryOperatorId;
    }

    static IntelligenceResults of(MemoryConfig config) {
        return new IntelligenceResults(config.observationOperatorSid(), config.summaryOperatorSid());
    }

    List<Write> writes(IntelligenceEvent event) {
        List<Write> writes = new ArrayList<>();
        for (OperatorResult result : event.getOperatorResults()) {
            Kind kind = kindOf(result.getOperatorId());
            if (kind == null) {
                continue;
            }
            String content = content(result);
            if (content == null || content.isBlank()) {
                continue;
            }
            List<String> texts = kind == Kind.OBSERVATION ? observations(content) : summaries(content);
            List<Item> items = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                items.add(new Item("ci_" + result.getId() + "_" + i, texts.get(i)));
            }
            String occurredAt = result.getDateCreated() != null ? result.getDateCreated() : event.getOccurredAt().toString();
            long millis = millis(occurredAt, event.getOccurredAt());
            for (String profileId : customerProfiles(result)) {
                writes.add(new Write(kind, profileId, event.getConversationId(), result.getId(), occurredAt, millis, items));
            }
        }
        return writes;
    }

    private Kind kindOf(String operatorId) {
        if (operatorId == null) {
            return null;
        }
        if (operatorId.equals(observationOperatorId)) {
            return Kind.OBSERVATION;
        }
        return operatorId.equals(summaryOperatorId) ? Kind.SUMMARY : null;
    }

    private static Set<String> customerProfiles(OperatorResult result) {
        Set<String> profiles = new LinkedHashSet<>();
        for (IntelligenceParticipant p : result.getParticipants()) {
            if ("CUSTOMER".equalsIgnoreCase(p.getType()) && p.getProfileId() != null && !p.getProfileId().isBlank()) {
                profiles.add(p.getProfileId());
            }
        }
        return profiles;
    }

    /** The result's content by output format, as text; null when empty. */
    static String content(OperatorResult result) {
        JsonNode value = parse(result.getResultJson());
        if (value == null || value.isNull()) {
            return null;
        }
        String format = result.getOutputFormat() == null ? "" : result.getOutputFormat().toUpperCase(Locale.ROOT);
        JsonNode picked = switch (format) {
            case "JSON" -> value.has("payload") ? value.get("payload")
                    : value.path("com.twilio.cai.intelligence.JSONResult").has("payload")
                            ? value.path("com.twilio.cai.intelligence.JSONResult").get("payload") : value;
            case "CLASSIFICATION" -> value.has("label") ? value.get("label") : value;
            case "EXTRACTION" -> value.has("entities") ? value.get("entities") : value;
            case "TEXT", "GENERATION" -> value.has("result") ? value.get("result") : value;
            default -> value;
        };
        return picked.isTextual() ? picked.asText() : picked.toString();
    }

    /** {@code {"observations":[{"content"}]}}, else the content as one observation. */
    static List<String> observations(String content) {
        JsonNode json = parse(content);
        if (json != null && json.path("observations").isArray()) {
            List<String> out = new ArrayList<>();
            json.get("observations").forEach(o -> {
                String text = o.isTextual() ? o.asText() : o.path("content").asText("");
                if (!text.isBlank()) {
                    out.add(text);
                }
            });
            if (!out.isEmpty()) {
                return out;
            }
        }
        return List.of(content);
    }

    /** {@code {"summaries":[{"summary"}]}} or {@code {"summary"}}, else the content as one summary. */
    static List<String> summaries(String content) {
        JsonNode json = parse(content);
        if (json != null && json.path("summaries").isArray()) {
            List<String> out = new ArrayList<>();
            json.get("summaries").forEach(s -> {
                String text = s.path("summary").asText("");
                if (!text.isBlank()) {
                    out.add(text);
                }
            });
            if (!out.isEmpty()) {
                return out;
            }
        }
        if (json != null && json.path("summary").isTextual() && !json.get("summary").asText().isBlank()) {
            return List.of(json.get("summary").asText());
        }
        return List.of(content);
    }

    private static JsonNode parse(String text) {
        if (text == null) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    private static long millis(String iso, Instant fallback) {
        try {
            return Instant.parse(iso).toEpochMilli();
        } catch (DateTimeParseException e) {
            return fallback.toEpochMilli();
        }
    }
}
