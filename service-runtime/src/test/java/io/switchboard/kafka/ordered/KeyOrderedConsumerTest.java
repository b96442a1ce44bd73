package io.switchboard.kafka.ordered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The dispatch, commit, backpressure and rebalance logic against Kafka's MockConsumer (broker tests: agent-sdk). */
class KeyOrderedConsumerTest {
    private static final String TOPIC = "t";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

    private final Map<TopicPartition, Long> commits = new ConcurrentHashMap<>();
    private final Set<TopicPartition> pausedNow = ConcurrentHashMap.newKeySet();
    /** Records commits and pauses where the test thread can read them without the mock's monitor (held in poll). */
    private final MockConsumer<String, byte[]> mock = new MockConsumer<>("earliest") {
        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
            super.commitSync(offsets, timeout);
            offsets.forEach((tp, o) -> commits.put(tp, o.offset()));
        }

        @Override
        public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets,
                                             org.apache.kafka.clients.consumer.OffsetCommitCallback callback) {
            super.commitAsync(offsets, callback);
            offsets.forEach((tp, o) -> commits.put(tp, o.offset()));
        }

        @Override
        public synchronized void pause(java.util.Collection<TopicPartition> partitions) {
            super.pause(partitions);
            pausedNow.addAll(partitions);
        }

        @Override
        public synchronized void resume(java.util.Collection<TopicPartition> partitions) {
            super.resume(partitions);
            pausedNow.removeAll(partitions);
        }

        @Override
        public synchronized void close() {
            // kept open so that tests can look at it after the consumer closed
        }
    };
    private final Map<Long, CompletableFuture<Void>> running = new ConcurrentHashMap<>();
    private final List<String> started = new CopyOnWriteArrayList<>();
    private final List<String> arrived = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private KeyOrderedConsumer<String> consumer;

    private final RecordHandler<String> handler = new RecordHandler<>() {
        @Override
        public CompletionStage<?> handle(ConsumerRecord<String, String> record) {
            started.add(record.value());
            CompletableFuture<Void> f = new CompletableFuture<>();
            running.put(offsetKey(record.partition(), record.offset()), f);
            return f;
        }

        @Override
        public void arrived(ConsumerRecord<String, String> record) {
            arrived.add(record.value());
        }
    };

    @AfterEach
    void tearDown() {
        running.values().forEach(f -> f.complete(null));
        if (consumer != null) {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private static long offsetKey(int partition, long offset) {
        return partition * 1_000_000L + offset;
    }

    private void start(KeyOrderedOptions options) {
        mock.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        consumer = new KeyOrderedConsumer<>(() -> mock, new StringDeserializer(), List.of(TOPIC), handler,
                options.withPollTimeout(Duration.ofMillis(5)).withCommitInterval(Duration.ZERO).withMeterRegistry(registry));
        consumer.start();
        mock.schedulePollTask(() -> mock.rebalance(List.of(P0, P1)));
    }

    private void add(TopicPartition tp, long offset, String key, String value) {
        mock.schedulePollTask(() -> mock.addRecord(new ConsumerRecord<>(TOPIC, tp.partition(), offset, key,
                value.getBytes(StandardCharsets.UTF_8))));
    }

    private void finish(TopicPartition tp, long offset) {
        await().until(() -> running.containsKey(offsetKey(tp.partition(), offset)));
        running.get(offsetKey(tp.partition(), offset)).complete(null);
    }

    private Long committed(TopicPartition tp) {
        return commits.get(tp);
    }

    @Test
    void oneKeyRunsInOrderOneAtATimeWhileOtherKeysRunConcurrently() {
        start(KeyOrderedOptions.defaults());
        add(P0, 0, "a", "a0");
        add(P0, 1, "a", "a1");
        add(P0, 2, "b", "b0");
        add(P1, 0, "c", "c0");
        await().until(() -> started.size() == 3);
        assertThat(started).containsExactlyInAnyOrder("a0", "b0", "c0");
        assertThat(arrived).containsExactlyInAnyOrder("a0", "a1", "b0", "c0");

        finish(P0, 2);
        assertThat(started).doesNotContain("a1");
        finish(P0, 0);
        await().until(() -> started.contains("a1"));
        assertThat(started.indexOf("a1")).isGreaterThan(started.indexOf("a0"));
    }

    @Test
    void commitsOnlyUpToTheHighestOffsetWhosePredecessorsAreDone() {
        start(KeyOrderedOptions.defaults());
        add(P0, 0, "a", "a0");
        add(P0, 1, "b", "b0");
        add(P0, 2, "c", "c0");
        await().until(() -> started.size() == 3);

        finish(P0, 2);
        finish(P0, 1);
        await().during(Duration.ofMillis(100)).until(() -> committed(P0) == null);
        finish(P0, 0);
        await().until(() -> Long.valueOf(3).equals(committed(P0)));
        assertThat(registry.get("switchboard.consumer.records").counter().count()).isEqualTo(3);
    }

    @Test
    void aFailedRecordCountsAsDoneAndTheKeyGoesOn() {
        start(KeyOrderedOptions.defaults());
        add(P0, 0, "a", "a0");
        add(P0, 1, "a", "a1");
        await().until(() -> running.containsKey(offsetKey(0, 0)));
        running.get(offsetKey(0, 0)).completeExceptionally(new IllegalStateException("boom"));
        await().until(() -> started.contains("a1"));
        finish(P0, 1);
        await().until(() -> Long.valueOf(2).equals(committed(P0)));
        assertThat(registry.get("switchboard.consumer.failures").counter().count()).isEqualTo(1);
    }

    @Test
    void pausesItsPartitionsWhenTheNextPollMightNotFitAndResumesWithRoomForTwo() {
        // max.poll.records 2 (a quarter): paused above 6 in flight, resumed at 4 or fewer; the mock hands one record a poll
        start(KeyOrderedOptions.defaults().withMaxInFlight(8));
        for (int i = 0; i < 8; i++) {
            add(P0, i, "k" + i, "v" + i);
        }
        await().until(() -> started.size() == 7 && pausedNow.containsAll(Set.of(P0, P1)));
        await().during(Duration.ofMillis(100)).until(() -> started.size() == 7);
        assertThat(consumer.inFlight()).isEqualTo(7);

        finish(P0, 0);
        finish(P0, 1);
        await().during(Duration.ofMillis(100)).until(() -> started.size() == 7 && consumer.inFlight() == 5);
        assertThat(pausedNow).as("5 in flight: still no room for two polls").contains(P0, P1);

        finish(P0, 2);
        await().until(() -> started.size() == 8);
        assertThat(started).containsExactly("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7");
    }

    @Test
    void aBoundOfOneRunsOneRecordAtATimeAndResumesWhenItIsDone() {
        start(KeyOrderedOptions.defaults().withMaxInFlight(1));
        add(P0, 0, "a", "v0");
        add(P1, 0, "b", "w0");
        await().until(() -> started.size() == 1 && pausedNow.containsAll(Set.of(P0, P1)));
        await().during(Duration.ofMillis(100)).until(() -> started.size() == 1);

        finish(started.get(0).equals("v0") ? P0 : P1, 0);
        await().until(() -> started.size() == 2);
        assertThat(started).containsExactlyInAnyOrder("v0", "w0");
    }

    @Test
    void revocationWaitsForRunningRecordsDropsWaitingOnesAndCommitsWhatIsDone() {
        start(KeyOrderedOptions.defaults().withRevokeTimeout(Duration.ofSeconds(10)));
        add(P0, 0, "a", "a0");
        add(P0, 1, "a", "a1");   // waits behind a0: handed back to the group
        add(P1, 0, "c", "c0");
        await().until(() -> started.size() == 2);

        mock.schedulePollTask(() -> mock.rebalance(List.of(P1)));
        await().during(Duration.ofMillis(100)).until(() -> committed(P0) == null);
        finish(P0, 0);
        await().until(() -> Long.valueOf(1).equals(committed(P0)));
        assertThat(started).doesNotContain("a1");
        // the kept partition goes on
        finish(P1, 0);
        await().until(() -> Long.valueOf(1).equals(committed(P1)));
        assertThat(consumer.inFlight()).isZero();
    }

    @Test
    void revocationAbandonsRunningRecordsAfterItsTimeout() {
        start(KeyOrderedOptions.defaults().withRevokeTimeout(Duration.ofMillis(100)));
        add(P0, 0, "a", "a0");
        await().until(() -> started.size() == 1);
        mock.schedulePollTask(() -> mock.rebalance(List.of(P1)));
        java.util.concurrent.CountDownLatch revoked = new java.util.concurrent.CountDownLatch(1);
        mock.schedulePollTask(revoked::countDown); // runs on a poll after the revocation returned
        await().until(() -> revoked.getCount() == 0);
        finish(P0, 0); // too late: the new owner processes it again
        add(P1, 0, "c", "c0");
        finish(P1, 0);
        await().until(() -> Long.valueOf(1).equals(committed(P1)));
        assertThat(committed(P0)).isNull();
        assertThat(consumer.inFlight()).isZero();
    }

    @Test
    void closeFinishesRunningRecordsAndCommitsThem() throws Exception {
        start(KeyOrderedOptions.defaults());
        add(P0, 0, "a", "a0");
        add(P0, 1, "a", "a1");
        await().until(() -> started.size() == 1);
        CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> consumer.close(Duration.ofSeconds(5)));
        Thread.sleep(100); // close is waiting for a0
        assertThat(closed).isNotDone();
        finish(P0, 0);
        closed.get();
        assertThat(started).containsExactly("a0");
        assertThat(committed(P0)).isEqualTo(1);
    }

    @Test
    void anUndecodableValueIsReportedAndSkipped() {
        List<Long> bad = new CopyOnWriteArrayList<>();
        mock.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        consumer = new KeyOrderedConsumer<>(() -> mock, (topic, data) -> {
            String s = new String(data, StandardCharsets.UTF_8);
            if (s.equals("bad")) {
                throw new org.apache.kafka.common.errors.SerializationException("bad");
            }
            return s;
        }, List.of(TOPIC), new RecordHandler<>() {
            @Override
            public CompletionStage<?> handle(ConsumerRecord<String, String> record) {
                return handler.handle(record);
            }

            @Override
            public void undecodable(ConsumerRecord<String, byte[]> record, Exception error) {
                bad.add(record.offset());
            }
        }, KeyOrderedOptions.defaults().withPollTimeout(Duration.ofMillis(5)).withCommitInterval(Duration.ZERO));
        consumer.start();
        mock.schedulePollTask(() -> mock.rebalance(List.of(P0, P1)));
        add(P0, 0, "a", "bad");
        add(P0, 1, "a", "good");
        finish(P0, 1);
        await().until(() -> Long.valueOf(2).equals(committed(P0)));
        assertThat(bad).containsExactly(0L);
        assertThat(started).containsExactly("good");
    }

    @Test
    void aPluggedCommitterGetsTheSafeOffsetsAndTheListenerHearsAssignmentBeforeRecordsAndReleaseAfterTheCommit() {
        List<String> events = new CopyOnWriteArrayList<>();
        OffsetCommitter committer = new OffsetCommitter() {
            @Override
            public void commitAsync(org.apache.kafka.clients.consumer.Consumer<String, byte[]> c,
                                    org.apache.kafka.clients.consumer.ConsumerGroupMetadata group,
                                    Map<TopicPartition, OffsetAndMetadata> offsets,
                                    java.util.function.BiConsumer<Map<TopicPartition, OffsetAndMetadata>, Throwable> done) {
                offsets.forEach((tp, o) -> events.add("async " + tp + "=" + o.offset()));
                done.accept(offsets, null);
            }

            @Override
            public void commitSync(org.apache.kafka.clients.consumer.Consumer<String, byte[]> c,
                                   org.apache.kafka.clients.consumer.ConsumerGroupMetadata group,
                                   Map<TopicPartition, OffsetAndMetadata> offsets) {
                offsets.forEach((tp, o) -> events.add("sync " + tp + "=" + o.offset()));
            }
        };
        PartitionListener listener = new PartitionListener() {
            @Override
            public void assigned(java.util.Collection<TopicPartition> partitions) {
                events.add("assigned " + partitions.size());
            }

            @Override
            public void released(java.util.Collection<TopicPartition> partitions, boolean lost) {
                events.add("released " + partitions + " lost=" + lost);
            }
        };
        mock.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        RecordHandler<String> recording = record -> {
            events.add("handle " + record.value());
            return handler.handle(record);
        };
        consumer = new KeyOrderedConsumer<>(() -> mock, new StringDeserializer(), List.of(TOPIC), recording,
                KeyOrderedOptions.defaults().withPollTimeout(Duration.ofMillis(5)).withCommitInterval(Duration.ZERO),
                committer, listener);
        consumer.start();
        mock.schedulePollTask(() -> mock.rebalance(List.of(P0, P1)));
        add(P0, 0, "a", "a0");
        finish(P0, 0);
        await().until(() -> events.contains("async " + P0 + "=1"));
        assertThat(events.indexOf("assigned 2")).isLessThan(events.indexOf("handle a0")).isNotNegative();
        assertThat(commits).as("the consumer's own commits are not used").isEmpty();

        add(P0, 1, "b", "b0");
        await().until(() -> started.contains("b0"));
        mock.schedulePollTask(() -> mock.rebalance(List.of(P1)));
        finish(P0, 1);
        await().until(() -> events.contains("released [" + P0 + "] lost=false"));
        assertThat(events.indexOf("sync " + P0 + "=2")).isNotNegative()
                .isLessThan(events.indexOf("released [" + P0 + "] lost=false"));
    }

    @Test
    void theLagGaugeNamesTheConsumerGroup() {
        consumer = new KeyOrderedConsumer<>(Map.of("bootstrap.servers", "127.0.0.1:9", "group.id", "switchboard-outbound"),
                new StringDeserializer(), List.of(TOPIC), handler,
                KeyOrderedOptions.defaults().withName("outbound").withMeterRegistry(registry));

        assertThat(registry.get("switchboard.consumer.lag").tag("consumer", "outbound").gauge().getId().getTag("group"))
                .isEqualTo("switchboard-outbound");
    }
}
