package io.switchboard.tracing;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;

/**
 * An in-process exporter keeping the latest {@code capacity} ended spans (the oldest are dropped): {@code dev}'s
 * traces for the simulator panel, and the spans tests assert on. No collector, bounded memory.
 */
public final class RecentSpans implements SpanExporter {
    private final int capacity;
    private final Deque<SpanData> spans = new ArrayDeque<>();

    public RecentSpans(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
    }

    @Override
    public synchronized CompletableResultCode export(Collection<SpanData> batch) {
        for (SpanData span : batch) {
            if (spans.size() == capacity) {
                spans.removeFirst();
            }
            spans.addLast(span);
        }
        return CompletableResultCode.ofSuccess();
    }

    /** Every kept span, oldest first. */
    public synchronized List<SpanData> all() {
        return new ArrayList<>(spans);
    }

    /** The kept spans that match, oldest first. */
    public synchronized List<SpanData> matching(Predicate<SpanData> filter) {
        return spans.stream().filter(filter).toList();
    }

    /** The kept spans of one trace, oldest first. */
    public List<SpanData> trace(String traceId) {
        return matching(span -> span.getTraceId().equals(traceId));
    }

    public synchronized void clear() {
        spans.clear();
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }
}
