package io.switchboard.kafka.ordered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.testkit.TestKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The key-ordered consumer against the real broker (its unit tests, on MockConsumer, live in schemas). */
class KeyOrderedConsumerBrokerTest {

    @Test
    void eachKeyIsProcessedInOrderUnderConcurrencyAndNoRecordIsSkippedOrCommittedEarly() throws Exception {
        String topic = "test.ordered." + UUID.randomUUID();
        String group = "ordered-" + UUID.randomUUID();
        int keys = 40;
        int perKey = 10;
        try (Admin admin = TestKafka.clients().admin("ordered-admin")) {
            TestKafka.createTopics(admin, List.of(new NewTopic(topic, 4, (short) 1)));
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                    TestKafka.clients().producerConfig("ordered-producer"), new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < perKey; i++) {
                    for (int k = 0; k < keys; k++) {
                        producer.send(new ProducerRecord<>(topic, "k" + k, Integer.toString(i)));
                    }
                }
            }
            Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
            Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
            AtomicInteger maxConcurrent = new AtomicInteger();
            AtomicInteger concurrent = new AtomicInteger();
            AtomicInteger overlaps = new AtomicInteger();
            ScheduledExecutorService workers = Executors.newScheduledThreadPool(4);
            RecordHandler<String> handler = record -> {
                if (running.computeIfAbsent(record.key(), k -> new AtomicInteger()).incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                }
                maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
                seen.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(Integer.parseInt(record.value()));
                CompletableFuture<Void> done = new CompletableFuture<>();
                workers.schedule(() -> {
                    concurrent.decrementAndGet();
                    running.get(record.key()).decrementAndGet();
                    done.complete(null);
                }, ThreadLocalRandom.current().nextInt(1, 15), TimeUnit.MILLISECONDS);
                return done;
            };
            KeyOrderedConsumer<String> consumer = new KeyOrderedConsumer<>(
                    TestKafka.clients().consumerConfig(group, "ordered-consumer"), new StringDeserializer(),
                    List.of(topic), handler, KeyOrderedOptions.defaults().withMaxInFlight(50));
            consumer.start();
            try {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> seen.values().stream().mapToInt(List::size).sum() == keys * perKey);
                for (int k = 0; k < keys; k++) {
                    assertThat(seen.get("k" + k)).as("key k" + k).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
                }
                assertThat(overlaps).as("two records of one key at once").hasValue(0);
                assertThat(maxConcurrent.get()).as("keys processed concurrently").isGreaterThan(1);
                await().until(() -> consumer.inFlight() == 0);
            } finally {
                consumer.close(Duration.ofSeconds(10));
                workers.shutdownNow();
            }
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> ends = new java.util.HashMap<>();
            for (int p = 0; p < 4; p++) {
                ends.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            admin.listOffsets(ends).all().get().forEach((tp, info) -> {
                if (info.offset() > 0) {
                    assertThat(committed.get(tp).offset()).as("committed " + tp).isEqualTo(info.offset());
                }
            });
        }
    }
}
