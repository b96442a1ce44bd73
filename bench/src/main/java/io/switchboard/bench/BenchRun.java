package io.switchboard.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One benchmark run: the load against the floor ({@link EchoFloor}), then the same load against Switchboard — a
 * {@code dev} stack on a fresh data directory ({@link DevProcess}), or an external ingress — with one client and
 * one reply sink for both. The floor and dev run as child processes, so the CPU time each uses in the measured
 * window is its own, read from /proc next to the load generator's.
 */
final class BenchRun {
    static final String AUTH_TOKEN = "switchboard-bench-auth-token";
    private static final Pattern FLOOR_READY = Pattern.compile(Pattern.quote(EchoFloor.READY) + "(\\d+)");
    /** How long a child has after SIGTERM: dev closes its services and broker, then dumps a flight recording. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(60);

    /**
     * What to run. {@code target} null: a dev stack, a child process with {@code jvmArgs} ({@code profile}: and a
     * flight recording). {@code workDir} null: a new temporary directory; logs and recordings are kept in it.
     */
    record Options(Load load, boolean floor, URI target, String authToken, int sinkPort,
                   Map<String, String> devEnv, Set<String> without, boolean floorOnly, List<String> jvmArgs,
                   boolean profile, Path workDir) {
    }

    /**
     * Everything measured. {@code floor} is null when skipped; {@code devReadyMs} -1 for an external target. CPU
     * use and peak RSS (MiB, -1 unknown) per target process; {@code profile} null unless asked for.
     */
    record Results(Load load, LoadGenerator.Result floor, LoadGenerator.Result switchboard, long devReadyMs,
                   long devAnsweringMs, String target, Hops hops, CpuWindow.CpuUse floorCpu,
                   CpuWindow.CpuUse switchboardCpu, long floorPeakRssMib, long switchboardPeakRssMib,
                   long loadGeneratorPeakRssMib, StageProfile profile, Path workDir) {
        String backlog() {
            return switchboard.backlog();
        }
    }

    /** dev at rest: ready times, then CPU and memory over a window without load. */
    record IdleResults(Duration window, long readyMs, long answeringMs, CpuWindow.CpuUse cpu, long rssMib,
                       long peakRssMib, long threads, String target, StageProfile profile, Path workDir) {
    }

    /** One target's run: the load's outcome, the CPU it used in the measured window, its peak RSS. */
    private record Measured(LoadGenerator.Result result, CpuWindow.CpuUse cpu, long peakRssMib, CpuWindow window) {
    }

    private BenchRun() {
    }

    static Results run(Options options) throws Exception {
        Path workDir = workDir(options);
        Vertx client = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        try (ReplySink sink = new ReplySink(client, options.sinkPort())) {
            Measured floor = options.floor() || options.floorOnly() ? floor(options, client, sink, workDir) : null;
            if (options.floorOnly()) {
                return new Results(options.load(), null, floor.result(), -1, -1, "floor only (child process)", null,
                        null, floor.cpu(), -1, floor.peakRssMib(), ProcessStats.peakRssMib(), null, workDir);
            }
            LoadGenerator.Result floorResult = floor == null ? null : floor.result();
            CpuWindow.CpuUse floorCpu = floor == null ? null : floor.cpu();
            long floorRss = floor == null ? -1 : floor.peakRssMib();
            if (options.target() != null) {
                Measured sb = measure(client, options.target().getHost(), options.target().getPort(), options, sink,
                        new CpuWindow(-1), () -> "", -1);
                return new Results(options.load(), floorResult, sb.result(), -1, -1, options.target().toString(), null,
                        floorCpu, sb.cpu(), floorRss, -1, ProcessStats.peakRssMib(), null, workDir);
            }
            Path dataDir = workDir.resolve("dev-data");
            Path recording = workDir.resolve("stack.jfr");
            DevProcess dev;
            Measured sb;
            Hops hops;
            long answeringMs;
            try {
                dev = startDev(options, sink, dataDir, recording, workDir);
                try (dev) {
                    awaitAnswers(client, dev.httpPort(), options.authToken(), sink);
                    answeringMs = dev.jvm().sinceLaunchMs();
                    System.err.printf("dev printed its banner %d ms after launch and answered a call and a message "
                            + "%d ms after launch%n", dev.readyMs(), answeringMs);
                    Hops.stampAppendTime(dev.kafkaEnv());
                    long measuredFrom = System.currentTimeMillis() + options.load().warmup().toMillis();
                    sb = measure(client, "127.0.0.1", dev.httpPort(), options, sink, new CpuWindow(dev.pid()),
                            () -> Backlog.describe(dev.kafkaEnv()), dev.pid());
                    hops = Hops.measure(dev.kafkaEnv(), measuredFrom);
                }
            } finally {
                deleteQuietly(dataDir);
            }
            StageProfile profile = options.profile() ? StageProfile.read(recording, sb.window(),
                    sb.cpu().events(), options.load().eventUnit()) : null;
            return new Results(options.load(), floorResult, sb.result(), dev.readyMs(), answeringMs, dev.describe(), hops,
                    floorCpu, sb.cpu(), floorRss, sb.peakRssMib(), ProcessStats.peakRssMib(), profile, workDir);
        } finally {
            client.close().await();
        }
    }

    /**
     * dev at rest: launched, ready (banner), answering (a trial call and a few messages), left alone for the
     * warmup, then its CPU time over {@code duration} with no load, and its memory at the end.
     */
    static IdleResults idle(Options options) throws Exception {
        Path workDir = workDir(options);
        Vertx client = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        try (ReplySink sink = new ReplySink(client, options.sinkPort())) {
            Path dataDir = workDir.resolve("dev-data");
            Path recording = workDir.resolve("stack.jfr");
            DevProcess dev;
            CpuWindow window;
            long answeringMs;
            long rss;
            long peak;
            long threads;
            try {
                dev = startDev(options, sink, dataDir, recording, workDir);
                window = new CpuWindow(dev.pid());
                try (dev) {
                    awaitAnswers(client, dev.httpPort(), options.authToken(), sink);
                    answeringMs = dev.jvm().sinceLaunchMs();
                    System.err.printf("dev ready (banner) %d ms after launch, answering %d ms after launch; at rest "
                            + "from now: %d s to settle, then %d s measured%n", dev.readyMs(), answeringMs,
                            options.load().warmup().toSeconds(), options.load().duration().toSeconds());
                    Thread.sleep(options.load().warmup().toMillis());
                    window.opened();
                    Thread.sleep(options.load().duration().toMillis());
                    window.closed();
                    rss = ProcessStats.rssMib(dev.pid());
                    peak = ProcessStats.peakRssMib(dev.pid());
                    threads = ProcessStats.threads(dev.pid());
                }
            } finally {
                deleteQuietly(dataDir);
            }
            StageProfile profile = options.profile() ? StageProfile.read(recording, window, 0, "event") : null;
            return new IdleResults(options.load().duration(), dev.readyMs(), answeringMs, window.use(0), rss, peak,
                    threads,
                    dev.describe(), profile, workDir);
        } finally {
            client.close().await();
        }
    }

    /** The floor as a child process, measured under the load. */
    private static Measured floor(Options options, Vertx client, ReplySink sink, Path workDir) throws Exception {
        Path log = workDir.resolve("floor.log");
        try (ChildJvm floor = ChildJvm.start("floor", options.jvmArgs(), EchoFloor.class.getName(),
                List.of("0", sink.baseUrl()), Map.of(), log, STOP_GRACE)) {
            int port = Integer.parseInt(floor.awaitLine(FLOOR_READY, Duration.ofSeconds(60)).group(1));
            System.err.printf("floor: child process %d, output in %s%n", floor.pid(), log);
            return measure(client, "127.0.0.1", port, options, sink, new CpuWindow(floor.pid()), () -> "",
                    floor.pid());
        }
    }

    static DevProcess startDev(Options options, ReplySink sink, Path dataDir, Path recording, Path workDir)
            throws IOException, InterruptedException {
        Map<String, String> env = new HashMap<>(options.devEnv());
        env.put("TWILIO_AUTH_TOKEN", options.authToken());
        env.put("TWILIO_API_BASE_URL", sink.baseUrl());
        env.putIfAbsent("SWITCHBOARD_OPERATOR_PORT", "0"); // the bench reads no operator route; never collide
        List<String> jvmArgs = new ArrayList<>(options.jvmArgs());
        if (options.profile()) {
            // dumped when dev exits on SIGTERM; deep stacks, so a sample's frames reach the service that caused it
            jvmArgs.add("-XX:StartFlightRecording=filename=" + recording + ",settings=profile,dumponexit=true");
            jvmArgs.add("-XX:FlightRecorderOptions=stackdepth=256");
        }
        if (options.profile()) {
            System.err.println("dev: flight recording in " + recording);
        }
        return DevProcess.start(dataDir, workDir.resolve("dev.log"), jvmArgs, env, options.without(), STOP_GRACE);
    }

    /** Runs the load against host:port with the CPU window of process {@code pid} (-1: not ours). */
    private static Measured measure(Vertx client, String host, int port, Options options, ReplySink sink,
            CpuWindow window, Supplier<String> backlog, long pid) throws InterruptedException {
        LoadGenerator.Result result = new LoadGenerator(client, host, port, options.authToken())
                .run(options.load(), sink, backlog, window);
        long events = result.voice().measured() + result.messaging().measured();
        return new Measured(result, window.use(events), pid < 0 ? -1 : ProcessStats.peakRssMib(pid), window);
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

    static Path workDir(Options options) throws IOException {
        Path dir = options.workDir() != null ? Files.createDirectories(options.workDir())
                : Files.createTempDirectory("switchboard-bench-");
        return dir.toAbsolutePath();
    }

    static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind
        }
    }
}
