package io.switchboard.reliability;

import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.testkit.FreePorts;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;

/**
 * The services of a fault test as child JVMs of {@code switchboard.jar} against a given Kafka: ingress, memory, router,
 * outbound-sender and echo agents, each started, killed with SIGKILL and restarted by name. The router runs with
 * memory_mode {@code always}, so the memory service is on every message's path. Every child's output goes to its own
 * log file under {@code logs} (one per start).
 */
final class ChildServices implements AutoCloseable {
    static final Path JAR = Path.of("..", "launcher", "target", "switchboard.jar").toAbsolutePath().normalize();
    static final List<String> ALL = List.of("memory", "router", "outbound", "agent", "ingress");

    final Map<String, String> env = new HashMap<>();
    final int port;
    final Path logs;
    /** Settings that differ from {@link #env} for one service (each service that serves HTTP has its own port). */
    private final Map<String, Map<String, String>> overrides = new HashMap<>();
    private final Map<String, Process> processes = new ConcurrentHashMap<>();
    private final Map<String, File> currentLogs = new ConcurrentHashMap<>();
    private final AtomicInteger starts = new AtomicInteger();

    /**
     * {@code extra}: settings added to (or replacing) the common ones, e.g. the topics' replication on a cluster.
     */
    ChildServices(String bootstrapServers, String twilioBaseUrl, String authToken, Path logs, Map<String, String> extra)
            throws IOException {
        this.logs = Files.createDirectories(logs);
        int[] ports = FreePorts.distinct(2);
        port = ports[0];
        int memoryPort = ports[1];
        String run = UUID.randomUUID().toString().substring(0, 8);
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        // Fewer partitions than the catalog's default: the router's exactly-once commits stay small on 2 cores.
        env.put("SWITCHBOARD_TOPIC_PARTITIONS", "4");
        env.put("TWILIO_ACCOUNT_SID", TwilioWebhooks.ACCOUNT_SID);
        env.put("TWILIO_AUTH_TOKEN", authToken);
        env.put("TWILIO_PHONE_NUMBER", TwilioWebhooks.AGENT_NUMBER);
        env.put("TWILIO_API_BASE_URL", twilioBaseUrl);
        env.put("OUTBOUND_RETRY_INITIAL_BACKOFF_MS", "50");
        // Enough attempts, at most 1 s apart, to outlast the unreachable-Twilio window (a few seconds); with the
        // defaults (5 attempts from 200 ms) a message gives up after about 1.5 s of connection refused.
        env.put("OUTBOUND_RETRY_MAX_ATTEMPTS", "30");
        env.put("OUTBOUND_RETRY_MAX_BACKOFF_MS", "1000");
        env.put("OUTBOUND_GROUP_ID", "fault-outbound-" + run);
        env.put("SWITCHBOARD_AGENT_GROUP_ID", "fault-agent-" + run);
        env.put("SWITCHBOARD_ROUTER_APPLICATION_ID", "fault-router-" + run);
        env.put("SWITCHBOARD_ROUTER_STATE_DIR", Files.createTempDirectory("fault-router").toString());
        env.put("INGRESS_INSTANCE_ID", "0");
        env.put("PORT", Integer.toString(port));
        env.put("SWITCHBOARD_OPERATOR_PORT", "0"); // every service binds a free one, the memory service the port below
        env.put("SWITCHBOARD_INTERNAL_TOKEN", "fault-test-internal-token-" + run);
        env.put("SWITCHBOARD_MEMORY_MODE", "always");
        env.put("SWITCHBOARD_MEMORY_URL", "http://127.0.0.1:" + memoryPort);
        env.put("SWITCHBOARD_MEMORY_APPLICATION_ID", "fault-memory-" + run);
        env.put("SWITCHBOARD_MEMORY_STATE_DIR", Files.createTempDirectory("fault-memory").toString());
        env.putAll(extra);
        // The memory API is on the memory service's operator listener, which the router and agent call.
        overrides.put("memory", Map.of("SWITCHBOARD_OPERATOR_PORT", Integer.toString(memoryPort)));
    }

    /** Starts every service and waits until ingress is healthy. */
    void startAll() throws Exception {
        for (String service : ALL) {
            launch(service);
        }
        Awaitility.await().atMost(Duration.ofSeconds(90)).until(this::healthy);
    }

    /** Starts (or restarts) the service of that name; an agent's name may carry a suffix ({@code agent-2}). */
    void launch(String name) throws IOException {
        String service = name.startsWith("agent") ? "agent" : name;
        File log = log(name);
        currentLogs.put(name, log);
        processes.put(name, start(List.of(service), log, overrides.getOrDefault(service, Map.of())));
    }

    /** Waits until the running copy of a service has logged the text. */
    void awaitLog(String name, String text, Duration timeout) {
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(20))
                .until(() -> Files.readString(currentLogs.get(name).toPath(), StandardCharsets.ISO_8859_1)
                        .contains(text));
    }

    /** Runs a one-shot launcher command (e.g. {@code topics}) with the services' settings; returns its exit code. */
    int run(List<String> command) throws Exception {
        Process process = start(command, log(command.get(0)), Map.of());
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(command + " did not end within 90 s");
        }
        return process.exitValue();
    }

    private Process start(List<String> command, File log, Map<String, String> override) throws IOException {
        List<String> line = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", JAR.toString()));
        line.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(line);
        builder.environment().putAll(env);
        builder.environment().putAll(override);
        builder.redirectErrorStream(true).redirectOutput(log);
        return builder.start();
    }

    private File log(String name) {
        return logs.resolve(name + "-" + starts.incrementAndGet() + ".log").toFile();
    }

    /** SIGKILL: no shutdown hook, no commit, no flush. */
    void kill(String name) throws InterruptedException {
        Process process = processes.remove(name);
        process.destroyForcibly();
        process.waitFor();
    }

    /**
     * SIGTERM: the shutdown hook runs (consumers leave their group), as an orchestrator scales a service down; SIGKILL
     * after 30 s, as Kubernetes does at the end of its default grace period.
     */
    void stop(String name) throws InterruptedException {
        Process process = processes.remove(name);
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    boolean healthy() {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() {
        processes.values().forEach(Process::destroyForcibly);
        processes.clear();
    }
}
