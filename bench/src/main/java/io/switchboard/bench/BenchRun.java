package io.switchboard.bench;

import io.switchboard.config.KafkaSettings;
import io.switchboard.dev.DevStack;
import io.switchboard.launcher.ServiceDefinition;
import io.switchboard.launcher.Services;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * One benchmark run: the load against the floor ({@link EchoFloor}), then the same load against Switchboard — an
 * in-process {@code dev} stack on a fresh data directory, or an external ingress — with one client and one reply
 * sink for both.
 */
final class BenchRun {
    static final String AUTH_TOKEN = "switchboard-bench-auth-token";

    /** What to run. {@code target} null: an in-process dev stack. */
    record Options(Load load, boolean floor, URI target, String authToken, int sinkPort,
                   Map<String, String> devEnv, Set<String> without, boolean floorOnly) {
    }

    /** Everything measured. {@code floor} is null when skipped; {@code devReadyMs} -1 for an external target. */
    record Results(Load load, LoadGenerator.Result floor, LoadGenerator.Result switchboard, long devReadyMs,
                   long peakRssMib, String target, Hops hops) {
        String backlog() {
            return switchboard.backlog();
        }
    }

    private BenchRun() {
    }

    static Results run(Options options) throws Exception {
        Vertx client = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        try (ReplySink sink = new ReplySink(client, options.sinkPort())) {
            LoadGenerator.Result floor = null;
            if (options.floor()) {
                try (EchoFloor echo = new EchoFloor(sink.baseUrl())) {
                    floor = new LoadGenerator(client, "127.0.0.1", echo.port(), options.authToken())
                            .run(options.load(), sink);
                }
            }
            if (options.floorOnly()) {
                return new Results(options.load(), null, floor, -1, ProcessStats.peakRssMib(), "floor only", null);
            }
            if (options.target() != null) {
                LoadGenerator.Result sb = new LoadGenerator(client, options.target().getHost(),
                        options.target().getPort(), options.authToken()).run(options.load(), sink);
                return new Results(options.load(), floor, sb, -1, ProcessStats.peakRssMib(),
                        options.target().toString(), null);
            }
            Path dataDir = Files.createTempDirectory("switchboard-bench");
            try {
                int httpPort = freePort();
                Map<String, String> env = new HashMap<>(options.devEnv());
                env.put("TWILIO_AUTH_TOKEN", options.authToken());
                env.put("TWILIO_API_BASE_URL", sink.baseUrl());
                env.put("PORT", Integer.toString(httpPort));
                env.putIfAbsent("SWITCHBOARD_OPERATOR_PORT", "0"); // the bench reads no operator route; never collide
                long began = System.nanoTime();
                try (DevStack dev = DevStack.start(new DevStack.Settings(dataDir, 0, httpPort), env, services(options.without()))) {
                    long readyMs = (System.nanoTime() - began) / 1_000_000;
                    {
                        long answeringMs = awaitAnswers(client, httpPort, options.authToken(), sink) - began;
                        System.err.printf("dev started in %d ms, answered a call and a message %d ms after launch%n",
                                readyMs, answeringMs / 1_000_000);
                        Hops.stampAppendTime(dev.env());
                        long measuredFrom = System.currentTimeMillis() + options.load().warmup().toMillis();
                        LoadGenerator.Result sb = new LoadGenerator(client, "127.0.0.1", httpPort, options.authToken())
                                .run(options.load(), sink, () -> Backlog.describe(dev.env()));
                        return new Results(options.load(), floor, sb, readyMs, ProcessStats.peakRssMib(),
                                "dev (in-process, " + partitions(dev.env()) + ")", Hops.measure(dev.env(), measuredFrom));
                    }
                }
            } finally {
                deleteQuietly(dataDir);
            }
        } finally {
            client.close().await();
        }
    }

    /**
     * Sends a short trial load (one call, a few webhooks) until every prompt and message of one trial is answered:
     * consumer groups and Streams tasks are assigned, so the measured load does not wait for them. Returns when.
     */
    static long awaitAnswers(Vertx client, int port, String authToken, ReplySink sink) throws InterruptedException {
        Load trial = new Load(1, Duration.ofMillis(300), 10, 2, Duration.ofSeconds(1), Duration.ZERO,
                Duration.ofSeconds(3));
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            LoadGenerator.Result r = new LoadGenerator(client, "127.0.0.1", port, authToken).run(trial, sink);
            if (r.voice().sent() > 0 && r.voice().lost() == 0 && r.messaging().accepted() > 0
                    && r.messaging().lost() == 0) {
                return System.nanoTime();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Switchboard did not answer the trial load within 120 s (voice lost "
                        + r.voice().lost() + "/" + r.voice().sent() + ", messages lost " + r.messaging().lost() + "/"
                        + r.messaging().accepted() + "); is an agent running?");
            }
        }
    }

    private static List<ServiceDefinition> services(Set<String> without) {
        List<ServiceDefinition> all = Services.all();
        Set<String> unknown = new TreeSet<>(without);
        all.forEach(s -> unknown.remove(s.command()));
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("No such service: " + unknown + " (services: "
                    + all.stream().map(ServiceDefinition::command).toList() + ")");
        }
        return all.stream().filter(s -> !without.contains(s.command())).toList();
    }

    private static String partitions(Map<String, String> env) {
        KafkaSettings settings = KafkaSettings.fromEnv(env);
        return settings.topicPartitions() + " partitions per topic";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind
        }
    }
}
