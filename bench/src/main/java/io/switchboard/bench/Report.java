package io.switchboard.bench;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/** The Markdown the benchmark prints: latency against the floor first (ratio, added ms), then the counts. */
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
        if (r.hops() != null && !r.hops().markdown().isEmpty()) {
            out.append(r.hops().markdown()).append('\n');
        }
        if (r.devReadyMs() >= 0) {
            out.append("dev ready in ").append(r.devReadyMs()).append(" ms; ");
        }
        if (r.backlog() != null && !r.backlog().isEmpty()) {
            out.append("Backlog left when the load stopped (consumer lag): ").append(r.backlog()).append("  \n");
        }
        out.append("peak RSS of the process (VmHWM: load generator, floor and dev in one JVM): ")
                .append(r.peakRssMib()).append(" MiB\n");
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
            java.util.function.ToLongFunction<LoadGenerator.Result> value) {
        out.append("| ").append(name).append(" | ").append(f == null ? "–" : Long.toString(value.applyAsLong(f)))
                .append(" | ").append(value.applyAsLong(s)).append(" |\n");
    }

    private static String fmt(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 10
                ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
