package io.switchboard.bench;

import java.time.Duration;

/**
 * The load of one run: {@code calls} relay calls each sending a prompt every {@code interval}, and messaging
 * webhooks at {@code webhooksPerSecond} spread over {@code conversations} conversations, for {@code duration};
 * the first {@code warmup} of it is sent and checked but left out of the latency figures.
 */
record Load(int calls, Duration interval, int webhooksPerSecond, int conversations, Duration duration,
            Duration warmup, Duration drain) {

    String describe() {
        return calls + " relay calls × 1 prompt / " + seconds(interval) + " s, " + webhooksPerSecond
                + " webhooks/s over " + conversations + " conversations, " + seconds(duration) + " s (first "
                + seconds(warmup) + " s not measured)";
    }

    /** What one unit of work is in CPU per unit: a voice turn, a message, or either (a mixed load). */
    String eventUnit() {
        if (webhooksPerSecond <= 0 && calls > 0) {
            return "voice turn";
        }
        return calls <= 0 ? "message" : "event";
    }

    private static String seconds(Duration d) {
        double s = d.toMillis() / 1000.0;
        return s == Math.rint(s) ? Long.toString((long) s) : Double.toString(s);
    }
}
