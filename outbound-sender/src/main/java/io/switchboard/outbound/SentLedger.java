package io.switchboard.outbound;

import io.switchboard.events.DeliveryEvent;
import io.switchboard.ids.RecentIds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound event ids already sent, per outbound partition, so a duplicate is dropped durably. The record of what
 * was sent is tac.delivery.v1 itself: each delivery event goes to the delivery partition with the outbound record's
 * partition number, in the same transaction as the offset commit, so on assignment of outbound partition p the set is
 * rebuilt from a recent window of delivery partition p.
 */
final class SentLedger {
    private static final Logger log = LoggerFactory.getLogger(SentLedger.class);
    private static final int MAX_PER_PARTITION = 200_000;

    private final Map<Integer, Set<String>> sent = new ConcurrentHashMap<>();
    private final KafkaConsumer<String, byte[]> reader;
    private final Deserializer<DeliveryEvent> deserializer;
    private final String deliveryTopic;
    private final Duration window;

    SentLedger(KafkaConsumer<String, byte[]> reader, Deserializer<DeliveryEvent> deserializer, String deliveryTopic,
               Duration window) {
        this.reader = reader;
        this.deserializer = deserializer;
        this.deliveryTopic = deliveryTopic;
        this.window = window;
    }

    boolean contains(int partition, String outboundEventId) {
        Set<String> ids = sent.get(partition);
        return ids != null && ids.contains(outboundEventId);
    }

    void add(int partition, String outboundEventId) {
        sent.computeIfAbsent(partition, p -> RecentIds.bounded(MAX_PER_PARTITION)).add(outboundEventId);
    }

    void forget(Collection<Integer> partitions) {
        partitions.forEach(sent::remove);
    }

    /** Reads the window of the delivery partitions matching {@code partitions}; blocking (poll thread, at assignment). */
    void rebuild(Collection<Integer> partitions, Duration timeout) {
        if (partitions.isEmpty()) {
            return;
        }
        List<TopicPartition> tps = new ArrayList<>();
        partitions.forEach(p -> tps.add(new TopicPartition(deliveryTopic, p)));
        reader.assign(tps);
        Map<TopicPartition, Long> since = new HashMap<>();
        long from = Instant.now().minus(window).toEpochMilli();
        tps.forEach(tp -> since.put(tp, from));
        Map<TopicPartition, OffsetAndTimestamp> starts = reader.offsetsForTimes(since, timeout);
        Map<TopicPartition, Long> ends = reader.endOffsets(tps, timeout);
        List<TopicPartition> toRead = new ArrayList<>();
        for (TopicPartition tp : tps) {
            sent.computeIfAbsent(tp.partition(), p -> RecentIds.bounded(MAX_PER_PARTITION));
            OffsetAndTimestamp start = starts.get(tp);
            if (start != null && start.offset() < ends.get(tp)) {
                reader.seek(tp, start.offset());
                toRead.add(tp);
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        int loaded = 0;
        while (!toRead.isEmpty() && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(100))) {
                try {
                    DeliveryEvent delivery = deserializer.deserialize(record.topic(), record.value());
                    add(record.partition(), delivery.getOutboundEventId());
                    loaded++;
                } catch (RuntimeException e) {
                    log.warn("Unreadable delivery record {}-{}@{}: {}", record.topic(), record.partition(),
                            record.offset(), e.toString());
                }
            }
            toRead.removeIf(tp -> reader.position(tp) >= ends.get(tp));
        }
        if (!toRead.isEmpty()) {
            log.warn("Rebuilding the sent ids of {} timed out; duplicates older than what was read may be re-sent", toRead);
        }
        reader.assign(List.of());
        log.info("Sent-id ledger rebuilt for outbound partitions {}: {} delivery records read", partitions, loaded);
    }
}
