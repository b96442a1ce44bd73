package io.switchboard.bench;

import io.switchboard.config.KafkaSettings;
import io.switchboard.dev.DevServices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Switchboard's {@code dev} stack as a child process of the benchmark: {@code java -cp <class path> <dev main>
 * dev --data-dir DIR --kafka-port 0} with PORT set, ready when it prints its banner (which names the broker). This is the one place in the
 * bench that names dev's main class.
 * With {@code --without}, dev's own {@code --without} leaves those services out.
 */
final class DevProcess implements AutoCloseable {
    /** dev's main class, and the sub-command that starts dev (empty when the main class is dev's own). */
    static final String MAIN_CLASS = "io.switchboard.dev.DevMain";
    static final List<String> SUBCOMMAND = List.of("dev");

    /** dev's banner: the line that says it is ready, the broker's address and the partition count under it. */
    static final Pattern READY = Pattern.compile("Switchboard dev .*is ready \\((\\d+) ms\\)");
    private static final Pattern KAFKA = Pattern.compile("^\\s+Kafka\\s+(\\S+)");
    private static final Pattern PARTITIONS = Pattern.compile("(\\d+) partitions per conversation topic");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    /** The public port is picked here and may be taken before dev binds it (by any connection's ephemeral port). */
    private static final int ATTEMPTS = 3;

    private final ChildJvm jvm;
    private final int httpPort;
    private final Map<String, String> env;
    private final long readyMs;
    private final String bootstrapServers;
    private final String partitions;

    private DevProcess(ChildJvm jvm, int httpPort, Map<String, String> env, long readyMs, String bootstrapServers,
            String partitions) {
        this.jvm = jvm;
        this.httpPort = httpPort;
        this.env = env;
        this.readyMs = readyMs;
        this.bootstrapServers = bootstrapServers;
        this.partitions = partitions;
    }

    /**
     * Launches dev on a data directory under {@code dataDir} with {@code env} (TWILIO_* and the user's settings)
     * added to the environment and PORT set to a free port, leaving out the services in {@code without}; its output
     * goes to {@code log}.
     * Returns once dev has printed its banner (the broker on a port of its choosing); launches again on a new port
     * if the one picked was taken meanwhile.
     */
    static DevProcess start(Path dataDir, Path log, List<String> jvmArgs, Map<String, String> env,
            Set<String> without, Duration grace) throws IOException, InterruptedException {
        DevServices.without(without); // an unknown name fails here, before a child is launched
        for (int attempt = 1; ; attempt++) {
            int httpPort = FreePorts.any();
            Map<String, String> childEnv = new HashMap<>(env);
            childEnv.put("PORT", Integer.toString(httpPort));
            // a fresh data directory per attempt: a broker that did not start leaves one behind
            Path data = dataDir.resolve("attempt-" + attempt);
            List<String> args = new ArrayList<>(SUBCOMMAND);
            args.addAll(List.of("--data-dir", data.toString(), "--kafka-port", "0"));
            if (!without.isEmpty()) {
                args.addAll(List.of("--without", String.join(",", without)));
            }
            ChildJvm jvm = ChildJvm.start("dev", jvmArgs, MAIN_CLASS, args, childEnv, log, grace);
            System.err.printf("dev: child process %d, output in %s%n", jvm.pid(), log);
            try {
                jvm.awaitLine(READY, READY_TIMEOUT);
                long readyMs = jvm.sinceLaunchMs();
                String bootstrap = jvm.awaitLine(KAFKA, Duration.ofSeconds(5)).group(1);
                String partitions = jvm.awaitLine(PARTITIONS, Duration.ofSeconds(5)).group(1);
                return new DevProcess(jvm, httpPort, env, readyMs, bootstrap, partitions);
            } catch (IllegalStateException e) {
                jvm.close();
                if (attempt == ATTEMPTS || !Files.readString(log).contains("Address already in use")) {
                    throw e;
                }
                System.err.printf("dev: port %d was taken before dev bound it; again on another%n", httpPort);
            } catch (IOException | InterruptedException | RuntimeException e) {
                jvm.close();
                throw e;
            }
        }
    }

    ChildJvm jvm() {
        return jvm;
    }

    long pid() {
        return jvm.pid();
    }

    int httpPort() {
        return httpPort;
    }

    long readyMs() {
        return readyMs;
    }

    /** What Hops and Backlog need to reach the child's broker: the user's settings plus its bootstrap address. */
    Map<String, String> kafkaEnv() {
        Map<String, String> kafka = new HashMap<>(env);
        kafka.put(KafkaSettings.BOOTSTRAP_SERVERS, bootstrapServers);
        return kafka;
    }

    String describe() {
        return "dev (child process " + pid() + ", " + partitions + " partitions per topic)";
    }

    @Override
    public void close() {
        jvm.close();
    }
}
