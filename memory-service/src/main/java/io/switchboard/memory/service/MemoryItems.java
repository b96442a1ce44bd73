package io.switchboard.memory.service;

import io.switchboard.events.Memory;
import io.switchboard.events.Observation;
import io.switchboard.events.PastCommunication;
import io.switchboard.events.Summary;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The local memory's layout: one store row per remembered item, keyed
 * {@code subject ␀ kind ␀ time ␀ id}, its value a {@link Memory} holding that one item. An event costs one row
 * however long the customer's history is (a whole-history value per customer made every event re-read and re-write
 * up to {@code SWITCHBOARD_MEMORY_HISTORY_PER_CUSTOMER} items, and its changelog with it); a subject's items are one
 * prefix scan, oldest first; a replayed event rewrites nothing (same key). Each subject keeps the newest
 * {@code bound} items of each kind: {@link #COUNTS_STORE} counts rows per subject and kind; once a tenth over the
 * bound, the oldest are deleted in one scan (a scan per insert would walk a hot customer's fresh tombstones every
 * time), and {@link #read} leaves the surplus out.
 */
final class MemoryItems {
    static final String ITEMS_STORE = "memory-items";
    static final String COUNTS_STORE = "memory-item-counts";
    private static final char SEP = '\u0000';

    private MemoryItems() {
    }

    /** The kinds of item, each bounded on its own. */
    enum Kind {
        OBSERVATION('o'), SUMMARY('s'), COMMUNICATION('c');

        final char code;

        Kind(char code) {
            this.code = code;
        }
    }

    /** Every row of one subject starts with this. */
    static String prefix(String subject) {
        return subject + SEP;
    }

    static String prefix(String subject, Kind kind) {
        return prefix(subject) + kind.code + SEP;
    }

    static String key(String subject, Kind kind, long time, String id) {
        return prefix(subject, kind) + String.format(Locale.ROOT, "%019d", Math.max(0, time)) + SEP + id;
    }

    /** The rows of a subject put together again as one {@link Memory}: the newest {@code bound} of each kind, oldest first. */
    static Memory read(ReadOnlyKeyValueStore<String, Memory> items, String subject, int bound) {
        List<Observation> observations = new ArrayList<>();
        List<Summary> summaries = new ArrayList<>();
        List<PastCommunication> communications = new ArrayList<>();
        try (KeyValueIterator<String, Memory> rows = items.prefixScan(prefix(subject), Serdes.String().serializer())) {
            while (rows.hasNext()) {
                Memory row = rows.next().value;
                observations.addAll(row.getObservations());
                summaries.addAll(row.getSummaries());
                communications.addAll(row.getCommunications());
            }
        }
        return Memory.newBuilder().setObservations(newest(observations, bound)).setSummaries(newest(summaries, bound))
                .setCommunications(newest(communications, bound)).build();
    }

    private static <T> List<T> newest(List<T> oldestFirst, int bound) {
        return oldestFirst.size() <= bound ? oldestFirst : oldestFirst.subList(oldestFirst.size() - bound, oldestFirst.size());
    }

    /** Writes the items of each delta (keyed by subject) as rows, keeping at most {@code bound} per subject and kind. */
    static final class Writer implements Processor<String, Memory, Void, Void> {
        private final int bound;
        private final int slack;
        private KeyValueStore<String, Memory> items;
        private KeyValueStore<String, Long> counts;

        Writer(int bound) {
            this.bound = bound;
            this.slack = Math.max(1, bound / 10);
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            items = context.getStateStore(ITEMS_STORE);
            counts = context.getStateStore(COUNTS_STORE);
        }

        @Override
        public void process(Record<String, Memory> record) {
            String subject = record.key();
            Memory delta = record.value();
            if (subject == null || delta == null) {
                return;
            }
            for (Observation o : delta.getObservations()) {
                add(subject, Kind.OBSERVATION, time(o.getCreatedAtMillis()), o.getId(),
                        Memory.newBuilder().setObservations(List.of(o)).build());
            }
            for (Summary s : delta.getSummaries()) {
                add(subject, Kind.SUMMARY, time(s.getCreatedAtMillis()), s.getId(),
                        Memory.newBuilder().setSummaries(List.of(s)).build());
            }
            for (PastCommunication c : delta.getCommunications()) {
                add(subject, Kind.COMMUNICATION, time(c.getOccurredAtMillis()), c.getId(),
                        Memory.newBuilder().setCommunications(List.of(c)).build());
            }
        }

        private void add(String subject, Kind kind, long time, String id, Memory row) {
            String key = key(subject, kind, time, id);
            if (items.get(key) != null) {
                return; // a replay or a duplicate: already remembered
            }
            items.put(key, row);
            String countKey = prefix(subject, kind);
            Long before = counts.get(countKey);
            long count = (before == null ? 0 : before) + 1;
            if (count > bound + slack) {
                count -= dropOldest(countKey, count - bound);
            }
            counts.put(countKey, count);
        }

        /** Deletes the {@code n} oldest rows under {@code prefix}; returns how many it deleted. */
        private long dropOldest(String prefix, long n) {
            List<String> oldest = new ArrayList<>();
            try (KeyValueIterator<String, Memory> rows = items.prefixScan(prefix, Serdes.String().serializer())) {
                while (rows.hasNext() && oldest.size() < n) {
                    KeyValue<String, Memory> row = rows.next();
                    oldest.add(row.key);
                }
            }
            oldest.forEach(items::delete);
            return oldest.size();
        }

        private static long time(Long millis) {
            return millis == null ? 0 : millis;
        }
    }
}
