package io.switchboard.launcher.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.ids.EventIds;
import io.switchboard.launcher.tools.ToolsFixture.Run;
import io.switchboard.testkit.TestKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code switchboard groups lag|reset} on a group that has read a topic to its end. */
class GroupsCommandTest {
    private static final String TOPIC = "tools-groups-" + EventIds.random();
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final Instant BASE = Instant.now().minusSeconds(600);
    private static final List<Long> OFFSETS = new ArrayList<>();

    @BeforeAll
    static void topic() throws Exception {
        try (Admin admin = ToolsFixture.CLIENTS.admin("tools-test")) {
            TestKafka.createTopics(admin, List.of(new NewTopic(TOPIC, 1, (short) 1)));
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                ToolsFixture.CLIENTS.producerConfig("tools-groups"), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 6; i++) {
                RecordMetadata m = producer.send(new ProducerRecord<>(TOPIC, 0, BASE.plusSeconds(10L * i).toEpochMilli(),
                        "k", "v" + i)).get();
                OFFSETS.add(m.offset());
            }
        }
    }

    /** A group that read the topic to its end and committed, then stopped (empty). */
    private static String caughtUpGroup() {
        String group = "tools-group-" + EventIds.random();
        Map<String, Object> config = ToolsFixture.CLIENTS.consumerConfig(group, group);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.assign(List.of(TP));
            consumer.commitSync(Map.of(TP, new OffsetAndMetadata(OFFSETS.get(5) + 1)));
        }
        return group;
    }

    private static long committed(String group) throws Exception {
        try (Admin admin = ToolsFixture.CLIENTS.admin("tools-test")) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(TP).offset();
        }
    }

    @Test
    void lagShowsCommittedEndAndLagPerPartition() throws Exception {
        String group = caughtUpGroup();
        Run before = ToolsFixture.run("groups", "lag", "--group", group);
        assertThat(before.exitCode()).as(before.err()).isZero();
        assertThat(before.out()).containsPattern(group + " +" + TOPIC + " +0 +6 +6 +0");

        ToolsFixture.run("groups", "reset", "--group", group, "--to-datetime", BASE.plusSeconds(20).toString());
        Run after = ToolsFixture.run("groups", "lag", "--group", group);
        assertThat(after.out()).containsPattern(group + " +" + TOPIC + " +0 +2 +6 +4");
    }

    @Test
    void dryRunPrintsThePlanAndChangesNothing() throws Exception {
        String group = caughtUpGroup();
        Run run = ToolsFixture.run("groups", "reset", "--group", group, "--to-datetime",
                BASE.plusSeconds(25).toString(), "--dry-run");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern(TOPIC + " +0 +6 +3").contains("dry run");
        assertThat(committed(group)).isEqualTo(6);
    }

    @Test
    void resetMovesTheGroupToTheFirstRecordAtOrAfterTheTime() throws Exception {
        String group = caughtUpGroup();
        Run run = ToolsFixture.run("groups", "reset", "--group", group, "--to-datetime", BASE.plusSeconds(25).toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(committed(group)).isEqualTo(OFFSETS.get(3));
        // A time after every record: the end, so the group skips nothing it has not read.
        ToolsFixture.run("groups", "reset", "--group", group, "--to-datetime", Instant.now().toString());
        assertThat(committed(group)).isEqualTo(6);
    }

    @Test
    void resetRefusesAGroupWithActiveMembers() throws Exception {
        String group = caughtUpGroup();
        Map<String, Object> config = ToolsFixture.CLIENTS.consumerConfig(group, group + "-member");
        config.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500);
        try (KafkaConsumer<String, String> member = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            member.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (member.assignment().isEmpty() && System.nanoTime() < deadline) {
                member.poll(Duration.ofMillis(100));
            }
            Run run = ToolsFixture.run("groups", "reset", "--group", group, "--to-datetime", BASE.toString());

            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).contains("active member");
        }
        assertThat(committed(group)).isEqualTo(6);
    }
}
