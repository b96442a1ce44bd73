package io.switchboard.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A fault test's two tables, messaging and voice, one row per fault window, printed when the test ends. */
final class FaultTable {
    private final String title;
    private final boolean latency;
    private final List<String> messaging = new ArrayList<>();
    private final List<String> voice = new ArrayList<>();

    /**
     * {@code latency}: whether the messaging table shows the answers other than 200 that were retried, the reply
     * latency (p99 and max) and the longest time without any reply of each window.
     */
    FaultTable(String title, boolean latency) {
        this.title = title;
        this.latency = latency;
    }

    void add(String fault, FaultTraffic.Result r) {
        String row = String.format("%-48s | %8d | %4d | %10d | %5s", fault, r.messages(), r.lost(), r.duplicates(),
                r.disordered() == 0 ? "kept" : r.disordered() + " bad");
        if (latency) {
            row += String.format(" | %7d | %9s | %9s | %9s", r.refused(), seconds(r.replyP99()), seconds(r.replyMax()),
                    seconds(r.silence()));
        }
        messaging.add(row);
        VoiceCalls.Counts c = r.voice();
        voice.add(String.format("%-48s | %5d | %7d | %8d | %4d | %5d | %7d | %5s | %s", fault, c.calls(),
                c.prompts(), c.answered(), c.lost(), c.twice(), c.garbled(),
                c.disordered() == 0 ? "kept" : c.disordered() + " bad",
                c.droppedCalls() == 0 ? "0" : c.dropped() + " prompts on " + c.droppedCalls() + " calls"));
    }

    private static String seconds(Duration d) {
        return d == null ? "-" : String.format("%.1f s", d.toMillis() / 1000.0);
    }

    void print() {
        System.out.printf("%n%-48s | %8s | %4s | %10s | %5s%s%n", title, "messages", "lost", "duplicates", "order",
                latency ? String.format(" | %7s | %9s | %9s | %9s", "retried", "reply p99", "reply max", "no reply")
                        : "");
        messaging.forEach(System.out::println);
        System.out.printf("%n%-48s | %5s | %7s | %8s | %4s | %5s | %7s | %5s | %s%n",
                "voice: ConversationRelay calls", "calls", "prompts", "answered", "lost", "twice", "garbled", "order",
                "dropped (calls hung up by the fault)");
        voice.forEach(System.out::println);
    }
}
