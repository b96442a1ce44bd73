package io.switchboard.launcher;

import io.switchboard.config.KafkaSettings;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.topics.Topic;
import io.switchboard.topics.TopicProvisioner;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code switchboard topics}: creates the topic catalog on an external cluster (partitions, replication, retention
 * and compaction from {@link Topic} and the SWITCHBOARD_TOPIC_* settings), leaves existing topics alone, and exits.
 * Run it once before the services (docker-compose runs it as a one-shot service they wait for).
 */
@Command(name = "topics", mixinStandardHelpOptions = true, versionProvider = Switchboard.Version.class,
        description = "Creates Switchboard's topics on the Kafka cluster (existing ones are left alone), then exits.")
public final class TopicsCommand implements Callable<Integer> {
    static final long TIMEOUT_MS = 60_000;

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,HOST:PORT]",
            description = "Kafka bootstrap servers; overrides the environment variable KAFKA_BOOTSTRAP_SERVERS.")
    String bootstrapServers;

    private final Map<String, String> processEnv;

    public TopicsCommand() {
        this(System.getenv());
    }

    TopicsCommand(Map<String, String> processEnv) {
        this.processEnv = Map.copyOf(processEnv);
    }

    @Override
    public Integer call() {
        Map<String, String> env = new HashMap<>(processEnv);
        if (bootstrapServers != null && !bootstrapServers.isBlank()) {
            env.put(KafkaSettings.BOOTSTRAP_SERVERS, bootstrapServers.trim());
        }
        try {
            KafkaSettings settings = KafkaSettings.fromEnv(env);
            try (Admin admin = new KafkaClients(settings).admin("switchboard-topics")) {
                new TopicProvisioner(admin, settings, TIMEOUT_MS).provision();
            }
            spec.commandLine().getOut().println("topics ready on " + settings.bootstrapServers() + ": "
                    + String.join(" ", Arrays.stream(Topic.values()).map(Topic::topicName).toList()));
            return 0;
        } catch (RuntimeException e) {
            RuntimeException fixable = StartupFailures.userFixable(e);
            spec.commandLine().getErr().println("topics: " + StartupFailures.oneLine(fixable != null ? fixable : e));
            return fixable != null ? StartupFailures.USAGE_ERROR : 1;
        }
    }
}
