package io.switchboard.launcher.tools;

import io.switchboard.kafka.KafkaClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Reads a bounded slice of a topic without a consumer group: the chosen partitions, from the first offset at or after
 * {@code since} ({@code offsetsForTimes}) to the first offset after {@code until}, or the end offset taken when the
 * read starts — so a read always finishes, even while producers keep writing. Records are read committed.
 *
 * <p>One conversation lives on one partition ({@code murmur2(key) % partitions}, Kafka's default partitioner, the
 * same partition number on every conversation topic), so a conversation costs the records of one partition in the
 * time window, not the topic.
 */
public final class TopicReader implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration STALL = Duration.ofSeconds(30);

    private final KafkaConsumer<String, byte[]> consumer;
    private long recordsRead;

    public TopicReader(KafkaClients clients, String clientId) {
        this.consumer = new KafkaConsumer<>(clients.consumerConfig(null, clientId), new StringDeserializer(),
                new ByteArrayDeserializer());
    }

    /** The partition a key lands on, with the default partitioner, on a topic of {@code partitions} partitions. */
    static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    int partitionCount(String topic) {
        return consumer.partitionsFor(topic, Duration.ofSeconds(15)).size();
    }

    /** Records read so far (all of them, matching or not): the cost of the reads. */
    long recordsRead() {
        return recordsRead;
    }

    /** Reads the partition of {@code key}, passing the records with that key to {@code sink}. */
    void readKey(String topic, String key, Instant since, Instant until, Consumer<ConsumerRecord<String, byte[]>> sink) {
        int partition = partitionOf(key, partitionCount(topic));
        read(topic, List.of(partition), since, until, key::equals, sink);
    }

    /** Reads {@code partitions} of {@code topic} (null: all) between the bounds (null: unbounded). */
    public void read(String topic, List<Integer> partitions, Instant since, Instant until, Predicate<String> keys,
              Consumer<ConsumerRecord<String, byte[]>> sink) {
        List<TopicPartition> tps = new ArrayList<>();
        if (partitions == null) {
            int count = partitionCount(topic);
            for (int p = 0; p < count; p++) {
                tps.add(new TopicPartition(topic, p));
            }
        } else {
            partitions.forEach(p -> tps.add(new TopicPartition(topic, p)));
        }
        Map<TopicPartition, Long> starts = new HashMap<>(consumer.beginningOffsets(tps));
        Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(tps));
        if (since != null) {
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(at(tps, since.toEpochMilli()));
            for (TopicPartition tp : tps) {
                OffsetAndTimestamp o = found.get(tp);
                starts.put(tp, o == null ? ends.get(tp) : o.offset());
            }
        }
        if (until != null) {
            Map<TopicPartition, OffsetAndTimestamp> found =
                    consumer.offsetsForTimes(at(tps, until.toEpochMilli() + 1));
            for (TopicPartition tp : tps) {
                OffsetAndTimestamp o = found.get(tp);
                if (o != null) {
                    ends.put(tp, Math.min(ends.get(tp), o.offset()));
                }
            }
        }
        List<TopicPartition> toRead = new ArrayList<>();
        for (TopicPartition tp : tps) {
            if (starts.get(tp) < ends.get(tp)) {
                toRead.add(tp);
            }
        }
        if (toRead.isEmpty()) {
            return;
        }
        consumer.assign(toRead);
        toRead.forEach(tp -> consumer.seek(tp, starts.get(tp)));
        List<TopicPartition> open = new ArrayList<>(toRead);
        long lastProgress = System.nanoTime();
        while (!open.isEmpty()) {
            boolean progress = false;
            for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                progress = true;
                TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                if (record.offset() >= ends.get(tp)) {
                    continue;
                }
                recordsRead++;
                if (until != null && record.timestamp() > until.toEpochMilli()) {
                    continue;
                }
                if (keys == null || (record.key() != null && keys.test(record.key()))) {
                    sink.accept(record);
                }
            }
            // Positions pass transaction markers too, so compare positions, not the last record's offset.
            List<TopicPartition> done = new ArrayList<>();
            for (TopicPartition tp : open) {
                if (consumer.position(tp) >= ends.get(tp)) {
                    done.add(tp);
                }
            }
            if (!done.isEmpty()) {
                open.removeAll(done);
                consumer.pause(done);
                progress = true;
            }
            if (progress) {
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > STALL.toNanos()) {
                throw new IllegalStateException("Reading " + topic + " stalled at " + open);
            }
        }
        consumer.assign(List.of());
    }

    private static Map<TopicPartition, Long> at(List<TopicPartition> tps, long millis) {
        Map<TopicPartition, Long> times = new HashMap<>();
        tps.forEach(tp -> times.put(tp, millis));
        return times;
    }

    @Override
    public void close() {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
