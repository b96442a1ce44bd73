package io.switchboard.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The highest messaging webhook rate the stack keeps up with, the voice calls of the load beside it: one dev stack
 * (or the {@code --target}), the load run once per rate, lowest first, until a rate does not keep up. A rate keeps
 * up when nothing is lost, duplicated or refused, the load generator reached it, the messaging reply p99 is within
 * {@value #REPLY_P99_MS} ms and the backlog when sending stops is bounded: at most {@value #BACKLOG_SECONDS} seconds of
 * the rate, summed over every consumer group and topic (committed offsets trail by up to a commit interval: the
 * memory service commits every second on four topics), where a stack falling behind grows it by the second.
 */
final class RateSweep {
    static final double REPLY_P99_MS = 250;
    /** The accepted rate must reach this share of the asked one (the generator and the 2xx keep pace). */
    static final double REACHED = 0.95;
    static final int BACKLOG_SECONDS = 5;

    /** One rate's run: the load's outcome, the stack's CPU in its measured window, the backlog when sending stopped. */
    record Step(int rate, LoadGenerator.Result result, CpuWindow.CpuUse cpu, Backlog.Lags backlog) {
        double replyP50Ms() {
            return result.messaging().ms(result.messaging().last(), 50);
        }

        double replyP99Ms() {
            return result.messaging().ms(result.messaging().last(), 99);
        }

        long lost() {
            return result.voice().lost() + result.messaging().lost();
        }

        long duplicated() {
            return result.voice().duplicates() + result.messaging().duplicates();
        }

        long errors() {
            return result.messaging().errors() + result.messaging().unknownReplies() + result.voice().errors()
                    + result.voice().unknownReplies() + result.connectFailures() + result.sinkOtherRequests();
        }

        /** Why this rate does not keep up, or null when it does. */
        String shortfall() {
            List<String> why = new ArrayList<>();
            count(why, "voice replies lost", result.voice().lost());
            count(why, "messaging replies lost", result.messaging().lost());
            count(why, "duplicated", duplicated());
            count(why, "webhooks refused or failed", result.messaging().errors());
            count(why, "voice errors", result.voice().errors() + result.connectFailures());
            count(why, "unmatched replies", result.voice().unknownReplies() + result.messaging().unknownReplies()
                    + result.sinkOtherRequests());
            if (result.acceptedPerSecond() < REACHED * rate) {
                why.add(String.format(Locale.ROOT, "only %.0f/s accepted", result.acceptedPerSecond()));
            }
            if (!(replyP99Ms() <= REPLY_P99_MS)) {
                why.add("reply p99 " + Report.fmtOrDash(replyP99Ms()) + " ms");
            }
            if (backlog.error() != null || backlog.total() > (long) BACKLOG_SECONDS * rate) {
                why.add("backlog " + (backlog.error() != null ? "unknown" : backlog.total()));
            }
            return why.isEmpty() ? null : String.join(", ", why);
        }

        private static void count(List<String> why, String what, long n) {
            if (n > 0) {
                why.add(n + " " + what);
            }
        }
    }

    record Results(Load load, List<Step> steps, String target, Path workDir) {
        /** The highest rate that kept up (every lower one did too: the sweep stops at the first that does not). */
        OptionalInt highest() {
            return steps.stream().filter(s -> s.shortfall() == null).mapToInt(Step::rate).max();
        }
    }

    private RateSweep() {
    }

    static Results run(BenchRun.Options options, List<Integer> rates) throws Exception {
        List<Integer> ascending = rates.stream().sorted().distinct().toList();
        Path workDir = BenchRun.workDir(options);
        Vertx client = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        List<Step> steps = new ArrayList<>();
        try (ReplySink sink = new ReplySink(client, options.sinkPort())) {
            if (options.target() != null) {
                for (int rate : ascending) {
                    Step step = step(client, options.target().getHost(), options.target().getPort(), options, sink,
                            rate, -1, null);
                    steps.add(step);
                    if (step.shortfall() != null) {
                        break;
                    }
                }
                return new Results(options.load(), steps, options.target().toString(), workDir);
            }
            Path dataDir = workDir.resolve("dev-data");
            DevProcess dev = BenchRun.startDev(options, sink, dataDir, workDir.resolve("stack.jfr"), workDir);
            try (dev) {
                BenchRun.awaitAnswers(client, dev.httpPort(), options.authToken(), sink);
                for (int rate : ascending) {
                    Step step = step(client, "127.0.0.1", dev.httpPort(), options, sink, rate, dev.pid(),
                            dev.kafkaEnv());
                    steps.add(step);
                    System.err.printf(Locale.ROOT, "sweep: %d webhooks/s %s%n", rate,
                            step.shortfall() == null ? "keeps up" : "does not keep up: " + step.shortfall());
                    if (step.shortfall() != null) {
                        break;
                    }
                }
            } finally {
                BenchRun.deleteQuietly(dataDir);
            }
            return new Results(options.load(), steps, dev.describe(), workDir);
        } finally {
            client.close().await();
        }
    }

    private static Step step(Vertx client, String host, int port, BenchRun.Options options, ReplySink sink, int rate,
                             long pid, Map<String, String> kafkaEnv) throws InterruptedException {
        Load base = options.load();
        Load load = new Load(base.calls(), base.interval(), rate, base.conversations(), base.duration(), base.warmup(),
                base.drain());
        AtomicReference<Backlog.Lags> backlog = new AtomicReference<>(new Backlog.Lags(Map.of(), "not read"));
        CpuWindow window = new CpuWindow(pid);
        LoadGenerator.Result result = new LoadGenerator(client, host, port, options.authToken()).run(load, sink, () -> {
            if (kafkaEnv != null) {
                backlog.set(Backlog.read(kafkaEnv));
            } else {
                backlog.set(new Backlog.Lags(Map.of(), null)); // an external target's broker is not ours to read
            }
            return backlog.get().describe();
        }, window);
        long events = result.voice().measured() + result.messaging().measured();
        return new Step(rate, result, window.use(events), backlog.get());
    }

    static String markdown(Results r) {
        StringBuilder out = new StringBuilder();
        Load load = r.load();
        out.append("Rate sweep: ").append(load.calls()).append(" relay calls × 1 prompt / ")
                .append(Report.fmt(load.interval().toMillis() / 1000.0)).append(" s beside messaging webhooks at each ")
                .append("rate over ").append(load.conversations()).append(" conversations, ")
                .append(load.duration().toSeconds()).append(" s per rate (first ").append(load.warmup().toSeconds())
                .append(" s not measured)  \nTarget: ").append(r.target()).append("  \n");
        out.append(String.format(Locale.ROOT, "Keeps up: nothing lost, duplicated or refused, ≥ %.0f %% of the rate "
                + "accepted, messaging reply p99 ≤ %.0f ms, backlog when sending stops (consumer lag, all groups) ≤ %d s "
                + "of the rate%n%n", REACHED * 100, REPLY_P99_MS, BACKLOG_SECONDS));
        out.append("| webhooks/s | accepted/s | reply p50 | reply p99 | voice first token p99 | lost | duplicated "
                + "| errors | backlog at stop | stack CPU | CPU ms / event | keeps up |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Step s : r.steps()) {
            String shortfall = s.shortfall();
            out.append("| ").append(s.rate()).append(" | ").append(Report.fmt(s.result().acceptedPerSecond()))
                    .append(" | ").append(Report.fmtOrDash(s.replyP50Ms())).append(" ms | ")
                    .append(Report.fmtOrDash(s.replyP99Ms())).append(" ms | ")
                    .append(Report.fmtOrDash(s.result().voice().ms(s.result().voice().first(), 99))).append(" ms | ")
                    .append(s.lost()).append(" | ").append(s.duplicated()).append(" | ").append(s.errors())
                    .append(" | ").append(s.backlog().error() != null ? "–" : Long.toString(s.backlog().total()))
                    .append(" | ").append(Report.percent(s.cpu().targetPercent())).append(" | ")
                    .append(Report.fmtOrDash(s.cpu().targetMsPerEvent())).append(" | ")
                    .append(shortfall == null ? "yes" : "no: " + shortfall).append(" |\n");
        }
        OptionalInt highest = r.highest();
        out.append('\n').append(highest.isPresent()
                ? "Highest rate that keeps up: **" + highest.getAsInt() + " webhooks/s** with " + load.calls()
                        + " calls beside it"
                : "No rate of the sweep keeps up").append("  \nLogs: ").append(r.workDir()).append('\n');
        return out.toString();
    }
}
