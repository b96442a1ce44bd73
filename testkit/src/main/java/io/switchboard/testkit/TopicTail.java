package io.switchboard.testkit;

import io.switchboard.topics.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;

/**
 * Reads one Switchboard topic of the shared test cluster from its end at creation (no consumer group), collecting
 * every record for assertions by key.
 *
 * <pre>{@code
 * try (TopicTail<IntelligenceEvent> ci = new TopicTail<>(Topic.INTELLIGENCE)) {
 *     ... // post a webhook
 *     IntelligenceEvent event = ci.await(conversationId, 1).get(0).value();
 * }
 * }</pre>
 */
public final class TopicTail<V extends SpecificRecord> implements AutoCloseable {
    private final KafkaConsumer<String, V> consumer;
    private final List<ConsumerRecord<String, V>> records = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    public TopicTail(Topic topic) {
        consumer = TestKafka.clients().consumer(null, topic.topicName() + "-tail", topic);
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : consumer.partitionsFor(topic.topicName())) {
            partitions.add(new TopicPartition(info.topic(), info.partition()));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        thread = new Thread(() -> {
            while (running) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
            consumer.close();
        }, topic.topicName() + "-tail");
        thread.setDaemon(true);
        thread.start();
    }

    /** The records of one key so far, in the order read. */
    public List<ConsumerRecord<String, V>> of(String key) {
        return records.stream().filter(r -> key.equals(r.key())).toList();
    }

    /** Waits (up to 15 s) until at least {@code count} records of the key arrived; returns them all. */
    public List<ConsumerRecord<String, V>> await(String key, int count) {
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> of(key).size() >= count);
        return of(key);
    }

    /** The values of one key so far, in the order read. */
    public List<V> values(String key) {
        return of(key).stream().map(ConsumerRecord::value).toList();
    }

    /** {@link #await}, values only. */
    public List<V> awaitValues(String key, int count) {
        return await(key, count).stream().map(ConsumerRecord::value).toList();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5_000);
    }
}
