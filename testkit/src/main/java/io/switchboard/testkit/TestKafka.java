package io.switchboard.testkit;

import io.switchboard.config.KafkaSettings;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.topics.TopicProvisioner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.awaitility.Awaitility;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * One real Kafka cluster for all tests of a JVM (a module's test run): Testcontainers' Apache Kafka where a Docker
 * engine answers, otherwise an in-process KRaft node from Kafka's own test kit. Started on first use, with the
 * topic catalog provisioned; it lives as long as the JVM. Tests that kill a broker start their own.
 */
public final class TestKafka {
    private static final Logger log = LoggerFactory.getLogger(TestKafka.class);
    private static volatile Cluster shared;

    private TestKafka() {
    }

    /** A running cluster; its lifetime is the JVM's. */
    public interface Cluster extends AutoCloseable {
        String bootstrapServers();

        @Override
        void close();
    }

    public static String bootstrapServers() {
        return shared().bootstrapServers();
    }

    /** Environment for a service under test: bootstrap servers of the shared cluster plus {@code extra}. */
    public static Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(extra);
        env.put(KafkaSettings.BOOTSTRAP_SERVERS, bootstrapServers());
        return env;
    }

    public static KafkaSettings settings() {
        return KafkaSettings.fromEnv(env(Map.of()));
    }

    public static KafkaClients clients() {
        return new KafkaClients(settings());
    }

    /**
     * Creates topics for a test and returns once every partition's leader answers for it (a list-offsets request
     * succeeds). A produce to a partition the broker has not finished creating fails with "invalid metadata", and an
     * idempotent producer can then loop on out-of-order sequence errors until its delivery timeout.
     */
    public static void createTopics(Admin admin, List<NewTopic> topics) throws Exception {
        admin.createTopics(topics).all().get();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (NewTopic topic : topics) {
            for (int p = 0; p < topic.numPartitions(); p++) {
                latest.put(new TopicPartition(topic.name(), p), OffsetSpec.latest());
            }
        }
        Awaitility.await("leaders of " + latest.keySet()).atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> admin.listOffsets(latest).all().get().size() == latest.size());
    }

    public static Cluster shared() {
        Cluster cluster = shared;
        if (cluster == null) {
            synchronized (TestKafka.class) {
                if (shared == null) {
                    // Not closed by us: the kit deletes its directories in its own shutdown hook, and a close racing
                    // that deletion only fills the log with I/O errors. The test JVM's exit stops the broker.
                    shared = start(1);
                    try (Admin admin = clients().admin("test-provisioner")) {
                        new TopicProvisioner(admin, settings(), 30_000).provision();
                    }
                }
                cluster = shared;
            }
        }
        return cluster;
    }

    /** Starts a cluster of its own, for a test that stops or kills brokers. */
    public static Cluster start(int brokers) {
        if (brokers == 1 && dockerAvailable()) {
            return startContainer();
        }
        return startInProcess(brokers);
    }

    static boolean dockerAvailable() {
        // A missing socket is the common case here; only ask Testcontainers (which can take seconds) when one exists.
        boolean socket = System.getenv("DOCKER_HOST") != null || Files.exists(Path.of("/var/run/docker.sock"));
        if (!socket || "in-process".equals(System.getenv("SWITCHBOARD_TEST_KAFKA"))) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static Cluster startContainer() {
        KafkaContainer container = new KafkaContainer("apache/kafka:4.1.1");
        container.start();
        log.info("Test Kafka: Testcontainers broker at {}", container.getBootstrapServers());
        return new Cluster() {
            @Override
            public String bootstrapServers() {
                return container.getBootstrapServers();
            }

            @Override
            public void close() {
                container.stop();
            }
        };
    }

    private static Cluster startInProcess(int brokers) {
        try {
            KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setCombined(true).setNumBrokerNodes(brokers).setNumControllerNodes(1).build())
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("log.cleaner.dedupe.buffer.size", Long.toString(2L * 1024 * 1024))
                    .setConfigProp("num.partitions", "1")
                    .build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            String bootstrap = kit.bootstrapServers();
            log.info("Test Kafka: in-process KRaft cluster ({} broker(s)) at {}", brokers, bootstrap);
            return new Cluster() {
                @Override
                public String bootstrapServers() {
                    return bootstrap;
                }

                @Override
                public void close() {
                    try {
                        kit.close();
                    } catch (Exception e) {
                        log.warn("Stopping the test Kafka cluster failed", e);
                    }
                }
            };
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start the in-process Kafka cluster: " + e, e);
        }
    }
}
