package io.switchboard.launcher.tools;

import io.switchboard.config.KafkaSettings;
import io.switchboard.kafka.KafkaClients;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The Kafka connection of a tool: the process environment, {@code --bootstrap-servers} overriding it. */
final class KafkaOptions {
    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,HOST:PORT]",
            description = "Kafka bootstrap servers; overrides the environment variable KAFKA_BOOTSTRAP_SERVERS.")
    String bootstrapServers;

    KafkaClients clients() {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (bootstrapServers != null && !bootstrapServers.isBlank()) {
            env.put(KafkaSettings.BOOTSTRAP_SERVERS, bootstrapServers.trim());
        }
        return new KafkaClients(KafkaSettings.fromEnv(env));
    }
}
