package io.switchboard.reliability;

import io.switchboard.events.InboundEvent;
import io.switchboard.testkit.TestKafka;
import io.switchboard.topics.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;

/** Reads tac.inbound.v1 from its end at creation; what a conversation got, in order. */
final class InboundTail implements AutoCloseable {
    private final KafkaConsumer<String, InboundEvent> consumer;
    private final List<InboundEvent> events = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    InboundTail() {
        consumer = TestKafka.clients().consumer(null, "reliability-inbound-tail", Topic.INBOUND);
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : consumer.partitionsFor(Topic.INBOUND.topicName())) {
            partitions.add(new TopicPartition(info.topic(), info.partition()));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        thread = new Thread(() -> {
            while (running) {
                for (ConsumerRecord<String, InboundEvent> r : consumer.poll(Duration.ofMillis(100))) {
                    events.add(r.value());
                }
            }
            consumer.close();
        }, "reliability-inbound-tail");
        thread.start();
    }

    List<InboundEvent> of(String conversationId) {
        return events.stream().filter(e -> e.getConversationId().equals(conversationId)).toList();
    }

    List<String> typesOf(String conversationId) {
        return of(conversationId).stream().map(e -> e.getPayload().getClass().getSimpleName()).toList();
    }

    /** Waits until the conversation's last event is of {@code type}; returns all its event types. */
    List<String> awaitLast(String conversationId, String type) {
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> {
            List<String> types = typesOf(conversationId);
            return !types.isEmpty() && types.get(types.size() - 1).equals(type);
        });
        return typesOf(conversationId);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5_000);
    }
}
