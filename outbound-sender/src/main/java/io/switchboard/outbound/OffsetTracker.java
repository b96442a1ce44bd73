package io.switchboard.outbound;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets of each partition are still being worked on, so the committed offset never passes an unfinished
 * record even though records of different conversations finish out of order. Thread-safe: the poll thread starts
 * records, the committer finishes them.
 */
final class OffsetTracker {
    private final Map<TopicPartition, TreeSet<Long>> inFlight = new HashMap<>();
    private final Map<TopicPartition, Long> nextOffset = new HashMap<>();

    synchronized void started(TopicPartition partition, long offset) {
        inFlight.computeIfAbsent(partition, p -> new TreeSet<>()).add(offset);
        nextOffset.merge(partition, offset + 1, Math::max);
    }

    synchronized void finished(TopicPartition partition, long offset) {
        TreeSet<Long> offsets = inFlight.get(partition);
        if (offsets != null) {
            offsets.remove(offset);
        }
    }

    synchronized boolean busy(Collection<TopicPartition> partitions) {
        return partitions.stream().anyMatch(p -> !inFlight.getOrDefault(p, new TreeSet<>()).isEmpty());
    }

    synchronized boolean busy() {
        return inFlight.values().stream().anyMatch(s -> !s.isEmpty());
    }

    /** The offsets safe to commit: the oldest unfinished record of each partition, or the one after the last seen. */
    synchronized Map<TopicPartition, OffsetAndMetadata> committable() {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        nextOffset.forEach((partition, next) -> {
            TreeSet<Long> offsets = inFlight.get(partition);
            long safe = offsets == null || offsets.isEmpty() ? next : offsets.first();
            out.put(partition, new OffsetAndMetadata(safe));
        });
        return out;
    }

    synchronized void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(p -> {
            inFlight.remove(p);
            nextOffset.remove(p);
        });
    }
}
