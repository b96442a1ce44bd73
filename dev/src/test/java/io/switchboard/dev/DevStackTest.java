package io.switchboard.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.config.KafkaSettings;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.launcher.ServiceDefinition;
import io.switchboard.service.ManagedService;
import io.switchboard.topics.Topic;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevStackTest {
    private static final Set<String> CATALOG =
            Set.copyOf(Arrays.stream(Topic.values()).map(Topic::topicName).toList());

    /** One partition per topic: the same behaviour, less broker work on a shared 2-core machine. */
    private static final Map<String, String> FEW_PARTITIONS = Map.of(
            KafkaSettings.TOPIC_PARTITIONS, "1", KafkaSettings.VOICE_EGRESS_PARTITIONS, "1",
            "SWITCHBOARD_OPERATOR_PORT", "0");

    @TempDir
    Path dataDir;

    @Test
    void restartOnTheSameDataDirKeepsTopicsAndRecords() throws Exception {
        DevStack.Settings settings = new DevStack.Settings(dataDir, 0, 8080);
        String clusterId;
        try (DevStack first = DevStack.start(settings, FEW_PARTITIONS, List.of())) {
            assertThat(first.freshlyFormatted()).isTrue();
            assertThat(topics(first)).containsAll(CATALOG);
            clusterId = first.clusterId();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                    clients(first).producerConfig("dev-test"), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(Topic.INBOUND.topicName(), 0, "CA1", "hello before restart")).get();
                producer.send(new ProducerRecord<>(Topic.OUTBOUND.topicName(), 0, "CA1", "reply before restart")).get();
            }
        }

        try (DevStack second = DevStack.start(settings, FEW_PARTITIONS, List.of())) {
            assertThat(second.freshlyFormatted()).isFalse();
            assertThat(second.clusterId()).isEqualTo(clusterId);
            assertThat(topics(second)).containsAll(CATALOG);
            assertThat(readPartitionZero(second, Topic.INBOUND)).containsExactly("hello before restart");
            assertThat(readPartitionZero(second, Topic.OUTBOUND)).containsExactly("reply before restart");
        }
    }

    @Test
    void servicesGetTheEmbeddedBrokerAndStopInReverseOrderWhileTheBrokerIsStillUp() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        DevStack stack = DevStack.start(new DevStack.Settings(dataDir, 0, 18080), with(FEW_PARTITIONS, "GREETING", "hi"),
                List.of(recording("first", events), recording("second", events)));
        try {
            assertThat(stack.serviceNames()).containsExactly("first", "second");
            assertThat(events).containsExactly(
                    "first started with Kafka at " + stack.bootstrapServers() + ", PORT 18080, GREETING hi",
                    "second started with Kafka at " + stack.bootstrapServers() + ", PORT 18080, GREETING hi");
        } finally {
            stack.close();
        }
        assertThat(events.subList(2, events.size())).containsExactly(
                "second closed, broker answered: true", "first closed, broker answered: true");
        stack.close(); // twice is harmless
    }

    /** A service that records its start (with the environment it got) and, at close, whether Kafka still answers. */
    private static ServiceDefinition recording(String name, List<String> events) {
        return new ServiceDefinition(name, "records what happens to it", context -> new ManagedService() {
            private final Map<String, String> env = context.env();

            @Override
            public String name() {
                return name;
            }

            @Override
            public void start() {
                events.add(name + " started with Kafka at " + env.get(KafkaSettings.BOOTSTRAP_SERVERS)
                        + ", PORT " + env.get("PORT") + ", GREETING " + env.get("GREETING"));
            }

            @Override
            public void close() {
                boolean answered;
                try (Admin admin = new KafkaClients(KafkaSettings.fromEnv(env)).admin(name)) {
                    answered = !admin.listTopics().names().get(10, TimeUnit.SECONDS).isEmpty();
                } catch (Exception e) {
                    answered = false;
                }
                events.add(name + " closed, broker answered: " + answered);
            }
        });
    }

    private static Map<String, String> with(Map<String, String> env, String name, String value) {
        Map<String, String> more = new HashMap<>(env);
        more.put(name, value);
        return more;
    }

    private static KafkaClients clients(DevStack stack) {
        return new KafkaClients(KafkaSettings.fromEnv(stack.env()));
    }

    private static Set<String> topics(DevStack stack) throws Exception {
        try (Admin admin = clients(stack).admin("dev-test")) {
            return admin.listTopics().names().get(10, TimeUnit.SECONDS);
        }
    }

    private static List<String> readPartitionZero(DevStack stack, Topic topic) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                clients(stack).consumerConfig(null, "dev-test"), new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(topic.topicName(), 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
                return !values.isEmpty();
            });
        }
        return values;
    }
}
