package io.switchboard.testkit;

import io.switchboard.config.KafkaSettings;
import io.switchboard.kafka.KafkaClients;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real Apicurio Registry server per test JVM, for the {@code registry} framing: the server that the testkit build
 * unpacked from Maven Central ({@code io.apicurio:apicurio-registry-app:<version>:tar.gz:all}), run as a child
 * process on a JDK 21+ with in-memory storage on free loopback ports, started on first use and stopped when the JVM
 * exits. If it cannot start, every use fails with the reason (and the tail of its output): a registry test never
 * passes without a registry.
 *
 * <p>Where the pieces come from, in order: the server directory from {@code -Dswitchboard.registry.dir} /
 * {@code SWITCHBOARD_REGISTRY_DIR}, else the directory the testkit build unpacked it to; the JDK from
 * {@code -Dswitchboard.registry.javaHome} / {@code SWITCHBOARD_REGISTRY_JAVA_HOME}, else the running JDK if it is 21+,
 * else the newest JDK 21+ under {@code /usr/lib/jvm}. The server's output goes to
 * {@code target/apicurio-registry-<port>.log} of the module under test.
 */
public final class TestSchemaRegistry {
    private static final Logger log = LoggerFactory.getLogger(TestSchemaRegistry.class);
    private static final int MIN_JAVA = 21;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(
            Long.getLong("switchboard.registry.startTimeoutSeconds", 120));
    private static final int LOG_TAIL_LINES = 40;

    private static CompletableFuture<Server> shared;

    private TestSchemaRegistry() {
    }

    /** A running registry. */
    public record Server(String baseUrl, long startMillis) {
        /** Apicurio's core v3 REST API: what {@code SCHEMA_REGISTRY_URL} and Apicurio's serdes use. */
        public String coreApiUrl() {
            return baseUrl + "/apis/registry/v3";
        }

        /** The Confluent-compatible API ({@code /apis/ccompat/v7}), for Confluent clients and for checking ids. */
        public String confluentApiUrl() {
            return baseUrl + "/apis/ccompat/v7";
        }
    }

    /** {@code SCHEMA_REGISTRY_URL} for services under test: the core v3 API of the shared registry. */
    public static String url() {
        return shared().coreApiUrl();
    }

    /** The Confluent-compatible API of the shared registry. */
    public static String confluentApiUrl() {
        return shared().confluentApiUrl();
    }

    /**
     * Environment for a service under test in the registry framing: {@link TestKafka#env} plus
     * {@code SWITCHBOARD_SERDE=registry} and {@code SCHEMA_REGISTRY_URL} of the shared registry ({@code extra} wins).
     */
    public static Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put(KafkaSettings.SERDE, "registry");
        env.put(KafkaSettings.SCHEMA_REGISTRY_URL, url());
        env.putAll(extra);
        return TestKafka.env(env);
    }

    public static KafkaSettings settings() {
        return KafkaSettings.fromEnv(env(Map.of()));
    }

    public static KafkaClients clients() {
        return new KafkaClients(settings());
    }

    /**
     * Starts the shared server in the background (if not yet started), so that a test class can overlap its start with
     * the test Kafka cluster's: {@code TestSchemaRegistry.startInBackground(); TestKafka.shared();}.
     */
    public static synchronized void startInBackground() {
        if (shared == null) {
            CompletableFuture<Server> future = new CompletableFuture<>();
            Thread starter = new Thread(() -> {
                try {
                    future.complete(start(serverDir(), javaExecutable()));
                } catch (Throwable e) {
                    future.completeExceptionally(e);
                }
            }, "apicurio-registry-start");
            starter.setDaemon(true);
            starter.start();
            shared = future;
        }
    }

    /** The shared server, started on first use; throws (every time, with the first reason) if it could not start. */
    public static Server shared() {
        startInBackground();
        try {
            return shared.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            throw new IllegalStateException(cause.getMessage(), cause);
        }
    }

    /** Starts a server from {@code home} with {@code java}; stopped at JVM exit. Package-private for tests. */
    static Server start(Path home, Path java) {
        Path logDir = Path.of("target");
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int[] ports = FreePorts.distinct(2);
        int httpPort = ports[0];
        int managementPort = ports[1];
        Path logFile = logDir.resolve("apicurio-registry-" + httpPort + ".log").toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(
                java.toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + httpPort,
                // Health lives on Quarkus' management interface, by default 0.0.0.0:9000 for every copy: give it its own.
                "-Dquarkus.management.host=127.0.0.1",
                "-Dquarkus.management.port=" + managementPort,
                // In-memory H2 (the default storage) with a small pool; quiet per-request logging.
                "-Dapicurio.storage.kind=sql",
                "-Dapicurio.storage.sql.kind=h2",
                "-Dapicurio.datasource.url=jdbc:h2:mem:registry",
                "-Dapicurio.datasource.jdbc.initial-size=2",
                "-Dapicurio.datasource.jdbc.min-size=2",
                "-Dapicurio.datasource.jdbc.max-size=10",
                "-Dquarkus.http.access-log.enabled=false",
                "-Dquarkus.log.category.\"io.apicurio.registry.logging.audit\".level=WARN",
                "-jar", home.resolve("quarkus-run.jar").toString()));
        ProcessBuilder builder = new ProcessBuilder(watched(command))
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
        long started = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start the Apicurio Registry server (" + String.join(" ", command)
                    + "): " + e, e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(process), "apicurio-registry-stop"));
        String base = "http://127.0.0.1:" + httpPort;
        URI health = URI.create("http://127.0.0.1:" + managementPort + "/health/ready");
        awaitReady(process, health, logFile, started);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        log.info("Test schema registry: Apicurio Registry at {} ready in {} ms (JDK {}, log {})", base, millis, java,
                logFile);
        return new Server(base, millis);
    }

    /**
     * Runs the server under a small shell that kills it when our end of its stdin closes, so that a test JVM that is
     * killed outright (no shutdown hooks) does not leave a registry running.
     */
    private static List<String> watched(List<String> command) {
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
            return command;
        }
        // fd 3 keeps our stdin pipe for the watcher (a background job's own stdin is /dev/null); the exit status is
        // the server's, so a server that dies at start is seen as dead at once.
        String script = String.join("\n",
                "exec 3<&0",
                "\"$0\" \"$@\" &",
                "child=$!",
                "trap 'kill $child 2>/dev/null' TERM INT",
                "( while read -r _ <&3; do :; done; kill $child 2>/dev/null ) &",
                "watcher=$!",
                "wait $child; status=$?",
                "while kill -0 $child 2>/dev/null; do wait $child; status=$?; done",
                "kill $watcher 2>/dev/null",
                "exit $status");
        List<String> wrapped = new ArrayList<>(List.of("sh", "-c", script));
        wrapped.addAll(command);
        return wrapped;
    }

    private static void awaitReady(Process process, URI health, Path logFile, long startedNanos) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(5)).GET().build();
        long deadline = startedNanos + START_TIMEOUT.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw failure("exited with code " + process.exitValue() + " before it was ready", logFile);
            }
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                last = "HTTP " + response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop(process);
                throw failure("start interrupted", logFile);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop(process);
                throw failure("start interrupted", logFile);
            }
        }
        stop(process);
        throw failure("not ready within " + START_TIMEOUT.toSeconds() + " s (" + health + ": " + last + ")", logFile);
    }

    private static IllegalStateException failure(String what, Path logFile) {
        return new IllegalStateException("Apicurio Registry test server " + what + ". Its output (" + logFile
                + "), last lines:\n" + tail(logFile));
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read it: " + e + ")";
        }
    }

    private static void stop(Process process) {
        if (!process.isAlive()) {
            return;
        }
        List<ProcessHandle> children = process.descendants().toList();
        children.forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                children.forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            children.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    // --- where the server and its JDK are ---

    static Path serverDir() {
        String configured = setting("switchboard.registry.dir", "SWITCHBOARD_REGISTRY_DIR");
        Properties build = buildProperties();
        Path dir = Path.of(configured != null ? configured : build.getProperty("dir", "(unknown)"));
        if (!Files.isRegularFile(dir.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException("No Apicurio Registry " + build.getProperty("version", "")
                    + " server at " + dir + " (quarkus-run.jar missing). The testkit build unpacks it from Maven Central"
                    + " (io.apicurio:apicurio-registry-app:" + build.getProperty("version", "<version>")
                    + ":tar.gz:all) in its generate-resources phase: run `mvn -pl testkit generate-resources` once"
                    + " online, or point -Dswitchboard.registry.dir / SWITCHBOARD_REGISTRY_DIR at an unpacked server.");
        }
        return dir;
    }

    private static Properties buildProperties() {
        Properties properties = new Properties();
        try (InputStream in = TestSchemaRegistry.class.getResourceAsStream("registry.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    static Path javaExecutable() {
        String configured = setting("switchboard.registry.javaHome", "SWITCHBOARD_REGISTRY_JAVA_HOME");
        if (configured != null) {
            Path home = Path.of(configured);
            int version = javaVersion(home);
            if (version < MIN_JAVA) {
                throw new IllegalStateException("SWITCHBOARD_REGISTRY_JAVA_HOME=" + configured + " is not a JDK "
                        + MIN_JAVA + "+ (found " + (version < 0 ? "no bin/java with a release file" : "Java " + version)
                        + "); the Apicurio Registry server needs one.");
            }
            return home.resolve("bin").resolve("java");
        }
        if (Runtime.version().feature() >= MIN_JAVA) {
            return Path.of(System.getProperty("java.home"), "bin", "java");
        }
        Path jvms = Path.of("/usr/lib/jvm");
        Optional<Path> found = Optional.empty();
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> homes = Files.list(jvms)) {
                found = homes.filter(h -> javaVersion(h) >= MIN_JAVA)
                        .max(Comparator.comparingInt(TestSchemaRegistry::javaVersion));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return found.map(h -> h.resolve("bin").resolve("java")).orElseThrow(() -> new IllegalStateException(
                "The Apicurio Registry server (the registry framing tests) needs a JDK " + MIN_JAVA + "+; this build runs "
                        + "on Java " + Runtime.version().feature() + " and there is none under " + jvms + ". Install one "
                        + "(e.g. `apt-get install openjdk-21-jdk-headless`, or Temurin 21+ from https://adoptium.net) and "
                        + "either run Maven on it or set SWITCHBOARD_REGISTRY_JAVA_HOME (or -Dswitchboard.registry.javaHome) "
                        + "to its home."));
    }

    /** The feature version from a JDK's {@code release} file, or -1 if {@code home} is not a usable JDK. */
    static int javaVersion(Path home) {
        Path release = home.resolve("release");
        if (!Files.isExecutable(home.resolve("bin").resolve("java")) || !Files.isRegularFile(release)) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(release, StandardCharsets.UTF_8)) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String value = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    String feature = value.split("[.+\\-]")[0];
                    return Integer.parseInt(feature.equals("1") ? value.split("\\.")[1] : feature);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static String setting(String property, String env) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(env);
        }
        return value == null || value.isBlank() ? null : value;
    }
}
