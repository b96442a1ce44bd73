package io.switchboard.bench;

import java.util.Locale;
import java.util.function.ToLongFunction;
import org.HdrHistogram.Histogram;

/**
 * The Markdown the benchmark prints: latency against the floor first (ratio, added ms), then the counts, CPU per
 * unit of work of each target process, the hops inside the stack and, with {@code --profile}, CPU by stage.
 */
final class Report {
    private static final double[] PERCENTILES = {50, 99, 99.9};

    private Report() {
    }

    static String markdown(BenchRun.Results r) {
        StringBuilder out = new StringBuilder();
        out.append("Load: ").append(r.load().describe()).append("  \n");
        out.append("Target: ").append(r.target()).append(", agent: the SDK's EchoAgent\n\n");
        out.append("| latency | ratio p50 | added p50 | ratio p99 | added p99 | ratio p99.9 | added p99.9 | floor p50 / p99 / p99.9 | Switchboard p50 / p99 / p99.9 |\n");
        out.append("|---|---|---|---|---|---|---|---|---|\n");
        LoadGenerator.Result f = r.floor();
        LoadGenerator.Result s = r.switchboard();
        row(out, "voice: prompt → first token", f == null ? null : f.voice().first(), s.voice().first());
        row(out, "voice: prompt → last token", f == null ? null : f.voice().last(), s.voice().last());
        row(out, "messaging: webhook sent → reply at Twilio API", f == null ? null : f.messaging().lastFromSent(),
                s.messaging().lastFromSent());
        row(out, "messaging: webhook 2xx → reply at Twilio API", f == null ? null : f.messaging().last(),
                s.messaging().last());
        out.append('\n');
        out.append("| counts | floor | Switchboard |\n|---|---|---|\n");
        counts(out, "voice prompts sent", f, s, x -> x.voice().sent());
        counts(out, "voice replies lost", f, s, x -> x.voice().lost());
        counts(out, "voice replies duplicated", f, s, x -> x.voice().duplicates());
        counts(out, "voice errors (connect, write, unmatched reply)", f, s,
                x -> x.voice().errors() + x.connectFailures() + x.voice().unknownReplies());
        counts(out, "webhooks sent", f, s, x -> x.messaging().sent());
        counts(out, "webhooks accepted (2xx)", f, s, x -> x.messaging().accepted());
        out.append("| webhooks accepted/s | ").append(f == null ? "–" : fmt(f.acceptedPerSecond())).append(" | ")
                .append(fmt(s.acceptedPerSecond())).append(" |\n");
        counts(out, "messaging replies lost (accepted, never answered)", f, s, x -> x.messaging().lost());
        counts(out, "messaging replies duplicated", f, s, x -> x.messaging().duplicates());
        counts(out, "messaging errors (non-2xx, failed, skipped)", f, s,
                x -> x.messaging().errors() + x.messaging().unknownReplies() + x.sinkOtherRequests());
        out.append('\n');
        cpu(out, r);
        if (r.hops() != null && !r.hops().markdown().isEmpty()) {
            out.append(r.hops().markdown()).append('\n');
        }
        if (r.profile() != null) {
            out.append(r.profile().markdown()).append('\n');
        }
        if (r.devReadyMs() >= 0) {
            out.append("dev ready (its banner) ").append(r.devReadyMs()).append(" ms after launch, answering ")
                    .append(r.devAnsweringMs()).append(" ms after launch; ");
        }
        if (r.backlog() != null && !r.backlog().isEmpty()) {
            out.append("Backlog left when the load stopped (consumer lag): ").append(r.backlog()).append("; ");
        }
        out.append("peak RSS of the load generator's JVM (VmHWM): ").append(r.loadGeneratorPeakRssMib())
                .append(" MiB  \nLogs").append(r.profile() != null ? " and the flight recording" : "").append(": ")
                .append(r.workDir()).append('\n');
        return out.toString();
    }

    /**
     * CPU per unit of work: each target's own process over the measured window (the latency figures' window), and
     * the load generator's (this JVM) beside it, so a saturated client shows.
     */
    private static void cpu(StringBuilder out, BenchRun.Results r) {
        CpuWindow.CpuUse f = r.floorCpu();
        CpuWindow.CpuUse s = r.switchboardCpu();
        String unit = r.load().eventUnit();
        out.append("| CPU in the measured window (").append(seconds(s.windowNanos()))
                .append(", /proc utime + stime) | floor | Switchboard | Switchboard / floor |\n|---|---|---|---|\n");
        out.append("| ").append(unit).append("s in the window | ").append(f == null ? "–" : Long.toString(f.events()))
                .append(" | ").append(s.events()).append(" | |\n");
        out.append("| CPU time of the target's process | ").append(f == null ? "–" : seconds(f.targetNanos()))
                .append(" | ").append(seconds(s.targetNanos())).append(" | ")
                .append(f == null ? "–" : ratio(s.targetNanos(), f.targetNanos())).append(" |\n");
        out.append("| CPU % of one core | ").append(f == null ? "–" : percent(f.targetPercent())).append(" | ")
                .append(percent(s.targetPercent())).append(" | |\n");
        out.append("| **CPU ms per ").append(unit).append(unit.equals("event") ? " (voice turn or message)" : "")
                .append("** | ").append(f == null ? "–" : fmtOrDash(f.targetMsPerEvent())).append(" | ")
                .append(fmtOrDash(s.targetMsPerEvent())).append(" | ")
                .append(f == null ? "–" : ratio(s.targetMsPerEvent(), f.targetMsPerEvent())).append(" |\n");
        // A JVM still compiling its hot code runs slower and spends cores on the compiler: not its steady cost.
        out.append("| of it, the JIT compilers (a large share: the JVM still warming up, lengthen --warmup) | ")
                .append(f == null ? "–" : percent(f.jitShare())).append(" | ").append(percent(s.jitShare()))
                .append(" | |\n");
        out.append("| load generator's CPU % of one core (this JVM, reply sink included) | ")
                .append(f == null ? "–" : percent(f.loadGeneratorPercent())).append(" | ")
                .append(percent(s.loadGeneratorPercent())).append(" | |\n");
        out.append("| peak RSS of the target's process (VmHWM) | ")
                .append(r.floorPeakRssMib() < 0 ? "–" : r.floorPeakRssMib() + " MiB").append(" | ")
                .append(r.switchboardPeakRssMib() < 0 ? "–" : r.switchboardPeakRssMib() + " MiB").append(" | |\n\n");
    }

    /** dev at rest ({@code --idle}). */
    static String idleMarkdown(BenchRun.IdleResults r) {
        StringBuilder out = new StringBuilder();
        out.append("Target: ").append(r.target()).append(", at rest: no load after a trial call and a few messages\n\n");
        out.append("| dev at rest | |\n|---|---|\n");
        out.append("| ready: launch → banner | ").append(seconds(r.readyMs() * 1_000_000)).append(" |\n");
        out.append("| ready: launch → a trial call and messages answered | ")
                .append(seconds(r.answeringMs() * 1_000_000)).append(" |\n");
        out.append("| CPU time over ").append(seconds(r.cpu().windowNanos())).append(" at rest | ")
                .append(seconds(r.cpu().targetNanos())).append(" |\n");
        out.append("| CPU % of one core at rest | ").append(percent(r.cpu().targetPercent())).append(" |\n");
        out.append("| RSS at the end (VmRSS) | ").append(r.rssMib()).append(" MiB |\n");
        out.append("| peak RSS (VmHWM, start and trial included) | ").append(r.peakRssMib()).append(" MiB |\n");
        out.append("| threads (Java's and the JVM's) | ").append(r.threads()).append(" |\n\n");
        if (r.profile() != null) {
            out.append(r.profile().markdown()).append('\n');
        }
        out.append("Logs").append(r.profile() != null ? " and the flight recording" : "").append(": ")
                .append(r.workDir()).append('\n');
        return out.toString();
    }

    private static void row(StringBuilder out, String name, Histogram floor, Histogram sb) {
        out.append("| ").append(name);
        for (double p : PERCENTILES) {
            double f = ms(floor, p);
            double s = ms(sb, p);
            out.append(" | ").append(Double.isNaN(f) || Double.isNaN(s) || f < 0.05 ? "–" : fmt(s / f) + "×");
            out.append(" | ").append(Double.isNaN(f) || Double.isNaN(s) ? "–" : "+" + fmt(s - f) + " ms");
        }
        out.append(" | ").append(triple(floor)).append(" | ").append(triple(sb)).append(" |\n");
    }

    private static String triple(Histogram h) {
        if (h == null || h.getTotalCount() == 0) {
            return "–";
        }
        return fmt(ms(h, 50)) + " / " + fmt(ms(h, 99)) + " / " + fmt(ms(h, 99.9)) + " ms";
    }

    private static double ms(Histogram h, double p) {
        return h == null || h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(p) / 1000.0;
    }

    private static void counts(StringBuilder out, String name, LoadGenerator.Result f, LoadGenerator.Result s,
            ToLongFunction<LoadGenerator.Result> value) {
        out.append("| ").append(name).append(" | ").append(f == null ? "–" : Long.toString(value.applyAsLong(f)))
                .append(" | ").append(value.applyAsLong(s)).append(" |\n");
    }

    static String fmt(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 10
                ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    static String fmtOrDash(double v) {
        return Double.isNaN(v) ? "–" : fmt(v);
    }

    /** Nanoseconds as seconds ("1.23 s"), or "–" when unknown (negative). */
    static String seconds(long nanos) {
        return nanos < 0 ? "–" : fmt(nanos / 1e9) + " s";
    }

    static String percent(double p) {
        return Double.isNaN(p) ? "–" : fmt(p) + " %";
    }

    /** {@code part} as a percentage of {@code total}. */
    static String percent(long part, long total) {
        return part < 0 || total <= 0 ? "–" : percent(100.0 * part / total);
    }

    private static String ratio(double s, double f) {
        return Double.isNaN(s) || Double.isNaN(f) || s < 0 || f <= 0 ? "–" : fmt(s / f) + "×";
    }
}
