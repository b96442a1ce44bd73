package io.switchboard.launcher.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.launcher.tools.ReplayCommand.Replies;
import io.switchboard.launcher.tools.ReplayCommand.Turn;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Original vs shadow replies per turn (each selected MessageReady): the texts, a word diff, and latency from the agent
 * event's record time to the first and the last reply record (the live event's for the original, the copy's for the
 * shadow). Shadow latency includes the time the shadow agent spends working through the copied backlog.
 */
final class ShadowReport {
    private final String runId;
    private final String agentTopic;
    private final String outboundTopic;
    private final List<Turn> turns;
    private final Map<String, Instant> shadowSentAt;
    private final Map<String, Replies> originals;
    private final Map<String, Replies> shadows;

    ShadowReport(String runId, String agentTopic, String outboundTopic, List<Turn> turns,
                 Map<String, Instant> shadowSentAt, Map<String, Replies> originals, Map<String, Replies> shadows) {
        this.runId = runId;
        this.agentTopic = agentTopic;
        this.outboundTopic = outboundTopic;
        this.turns = new ArrayList<>(turns);
        this.turns.sort(Comparator.comparing(Turn::conversationId).thenComparing(Turn::originalAt));
        this.shadowSentAt = shadowSentAt;
        this.originals = originals;
        this.shadows = shadows;
    }

    private static Long millis(Instant from, Instant to) {
        return from == null || to == null ? null : Duration.between(from, to).toMillis();
    }

    ObjectNode toJson() {
        ObjectNode root = Transcript.JSON.createObjectNode().put("runId", runId).put("shadowAgentTopic", agentTopic)
                .put("shadowOutboundTopic", outboundTopic);
        ArrayNode list = Transcript.JSON.createArrayNode();
        int same = 0;
        int different = 0;
        int missingShadow = 0;
        int missingOriginal = 0;
        List<Long> originalLatency = new ArrayList<>();
        List<Long> shadowLatency = new ArrayList<>();
        for (Turn t : turns) {
            Replies original = originals.get(t.agentEventId());
            Replies shadow = shadows.get(t.agentEventId());
            ObjectNode node = list.addObject().put("conversationId", t.conversationId()).put("turn", t.turn())
                    .put("channel", t.channel()).put("agentEventId", t.agentEventId()).put("prompt", t.prompt());
            side(node.putObject("original"), original, t.originalAt(), originalLatency);
            side(node.putObject("shadow"), shadow, shadowSentAt.get(t.agentEventId()), shadowLatency);
            if (original == null) {
                missingOriginal++;
            }
            if (shadow == null) {
                missingShadow++;
            }
            if (original != null && shadow != null) {
                boolean equal = WordDiff.sameWords(original.text(), shadow.text());
                node.put("same", equal).put("diff", WordDiff.diff(original.text(), shadow.text()));
                if (equal) {
                    same++;
                } else {
                    different++;
                }
            }
        }
        root.putObject("summary").put("turns", turns.size()).put("same", same).put("different", different)
                .put("missingShadow", missingShadow).put("missingOriginal", missingOriginal)
                .put("originalP50Ms", p50(originalLatency)).put("shadowP50Ms", p50(shadowLatency));
        root.set("turns", list);
        return root;
    }

    private static void side(ObjectNode node, Replies replies, Instant from, List<Long> latencies) {
        if (replies == null) {
            node.putNull("text");
            return;
        }
        Long last = millis(from, replies.last);
        node.put("text", replies.text()).put("complete", replies.complete())
                .put("firstMs", millis(from, replies.first)).put("lastMs", last);
        if (last != null) {
            latencies.add(last);
        }
    }

    private static Long p50(List<Long> values) {
        if (values.isEmpty()) {
            return null;
        }
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get((sorted.size() - 1) / 2);
    }

    String toText() {
        ObjectNode json = toJson();
        StringBuilder out = new StringBuilder("shadow replay ").append(runId).append(" (").append(agentTopic)
                .append(" -> ").append(outboundTopic).append(")\n");
        for (var turn : json.get("turns")) {
            out.append(turn.get("conversationId").asText()).append("  turn ").append(turn.get("turn").asLong())
                    .append("  ").append(turn.get("channel").asText()).append("  prompt: \"")
                    .append(turn.get("prompt").asText()).append("\"\n");
            line(out, "original", turn.get("original"));
            line(out, "shadow  ", turn.get("shadow"));
            if (turn.has("diff")) {
                out.append("  ").append(turn.get("same").asBoolean() ? "same" : "diff: " + turn.get("diff").asText())
                        .append('\n');
            }
        }
        var s = json.get("summary");
        out.append("turns ").append(s.get("turns")).append(", same ").append(s.get("same")).append(", different ")
                .append(s.get("different")).append(", no shadow reply ").append(s.get("missingShadow"))
                .append(", no original reply ").append(s.get("missingOriginal")).append("; p50 latency original ")
                .append(s.get("originalP50Ms")).append(" ms, shadow ").append(s.get("shadowP50Ms")).append(" ms\n");
        return out.toString();
    }

    private static void line(StringBuilder out, String label, JsonNode side) {
        out.append("  ").append(label).append(' ');
        if (side.get("text").isNull()) {
            out.append("(no reply)\n");
            return;
        }
        out.append('(').append(side.get("lastMs")).append(" ms) \"").append(side.get("text").asText()).append("\"\n");
    }
}
