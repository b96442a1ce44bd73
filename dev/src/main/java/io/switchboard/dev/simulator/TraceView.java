package io.switchboard.dev.simulator;

import io.opentelemetry.sdk.trace.data.SpanData;
import io.switchboard.tracing.Messaging;
import io.switchboard.tracing.RecentSpans;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The simulator panel's "where the time went": the spans of a conversation's last turn (the latest trace that one
 * of its ingress spans started), in start order, each with its depth in the tree, offset and duration.
 */
final class TraceView {
    private final RecentSpans spans;

    TraceView(RecentSpans spans) {
        this.spans = spans;
    }

    /** The last turn of {@code conversationId} as JSON: {@code {traceId, spans:[{name, kind, depth, startMs, durationMs}]}}. */
    JsonObject lastTurn(String conversationId) {
        Optional<SpanData> root = spans.matching(s -> !s.getParentSpanContext().isValid()
                        && conversationId.equals(s.getAttributes().get(Messaging.CONVERSATION_ID)))
                .stream().max(Comparator.comparingLong(SpanData::getStartEpochNanos));
        JsonArray rows = new JsonArray();
        if (root.isEmpty()) {
            return new JsonObject().put("conversationId", conversationId).put("spans", rows);
        }
        List<SpanData> trace = spans.trace(root.get().getTraceId()).stream()
                .sorted(Comparator.comparingLong(SpanData::getStartEpochNanos)).toList();
        Map<String, SpanData> byId = new HashMap<>();
        trace.forEach(s -> byId.put(s.getSpanId(), s));
        long origin = root.get().getStartEpochNanos();
        for (SpanData span : trace) {
            int depth = 0;
            for (SpanData p = byId.get(span.getParentSpanId()); p != null && depth < 32; p = byId.get(p.getParentSpanId())) {
                depth++;
            }
            rows.add(new JsonObject()
                    .put("name", span.getName())
                    .put("kind", span.getKind().name())
                    .put("service", span.getResource().getAttribute(io.opentelemetry.api.common.AttributeKey.stringKey(
                            "service.name")))
                    .put("depth", depth)
                    .put("startMs", (span.getStartEpochNanos() - origin) / 1e6)
                    .put("durationMs", (span.getEndEpochNanos() - span.getStartEpochNanos()) / 1e6)
                    .put("error", span.getStatus().getStatusCode() == io.opentelemetry.api.trace.StatusCode.ERROR));
        }
        return new JsonObject().put("conversationId", conversationId).put("traceId", root.get().getTraceId())
                .put("spans", rows);
    }
}
