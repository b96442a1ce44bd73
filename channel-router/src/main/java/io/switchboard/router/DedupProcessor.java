package io.switchboard.router;

import io.switchboard.events.InboundEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets each inbound event id through once per dedup window. Ids live in a changelogged store (so a restart or a
 * rebalance keeps them) next to an expiry index ordered by first-seen time, which a wall-clock punctuation trims:
 * cleaning costs what expired, not the whole store.
 */
final class DedupProcessor implements Processor<String, InboundEvent, String, InboundEvent> {
    private static final Logger log = LoggerFactory.getLogger(DedupProcessor.class);
    /** Upper bound of expired ids removed per punctuation, so one punctuation never stalls the thread. */
    private static final int MAX_EXPIRED_PER_PUNCTUATION = 10_000;

    private final Duration window;
    private final RouterMetrics metrics;
    private ProcessorContext<String, InboundEvent> context;
    private KeyValueStore<String, Long> seen;
    private KeyValueStore<String, String> expiry;

    DedupProcessor(Duration window, RouterMetrics metrics) {
        this.window = window;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, InboundEvent> context) {
        this.context = context;
        this.seen = context.getStateStore(RouterTopology.DEDUP_STORE);
        this.expiry = context.getStateStore(RouterTopology.DEDUP_EXPIRY_STORE);
        Duration every = window.dividedBy(24).compareTo(Duration.ofMinutes(1)) < 0 ? window.dividedBy(24) : Duration.ofMinutes(1);
        context.schedule(every.isZero() ? Duration.ofMillis(1) : every, PunctuationType.WALL_CLOCK_TIME, this::expire);
    }

    @Override
    public void process(Record<String, InboundEvent> record) {
        InboundEvent event = record.value();
        if (event == null) {
            return;
        }
        String type = SessionProcessor.typeOf(event);
        metrics.in(type);
        String eventId = event.getEventId();
        long now = context.currentSystemTimeMs();
        Long firstSeen = seen.get(eventId);
        if (firstSeen != null && now - firstSeen < window.toMillis()) {
            metrics.duplicate(type);
            log.debug("Duplicate {} {} of conversation {} dropped (first seen {} ms ago)", type, eventId,
                    event.getConversationId(), now - firstSeen);
            return;
        }
        seen.put(eventId, now);
        expiry.put(expiryKey(now, eventId), eventId);
        context.forward(record);
    }

    private void expire(long now) {
        String upTo = expiryKey(now - window.toMillis(), "");
        List<KeyValue<String, String>> expired = new ArrayList<>();
        try (KeyValueIterator<String, String> it = expiry.range(null, upTo)) {
            while (it.hasNext() && expired.size() < MAX_EXPIRED_PER_PUNCTUATION) {
                expired.add(it.next());
            }
        }
        for (KeyValue<String, String> entry : expired) {
            expiry.delete(entry.key);
            Long firstSeen = seen.get(entry.value);
            // the id may have been seen again after an earlier expiry; then a newer index entry owns it
            if (firstSeen != null && firstSeen <= timeOf(entry.key)) {
                seen.delete(entry.value);
            }
        }
        if (!expired.isEmpty()) {
            log.debug("Forgot {} event ids older than {}", expired.size(), window);
        }
    }

    /** Fixed-width first-seen time, then the id: lexicographic order is time order. */
    static String expiryKey(long millis, String eventId) {
        return String.format("%019d|%s", Math.max(0, millis), eventId);
    }

    private static long timeOf(String expiryKey) {
        return Long.parseLong(expiryKey.substring(0, 19));
    }
}
