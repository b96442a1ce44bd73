package io.switchboard.router;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The router's counters: what it consumed and produced by event type, what it dropped and why, what it dead-lettered. */
final class RouterMetrics {
    static final String EVENTS_IN = "switchboard.router.events.in";
    static final String EVENTS_OUT = "switchboard.router.events.out";
    static final String DUPLICATES = "switchboard.router.duplicates";
    static final String DROPPED = "switchboard.router.events.dropped";
    static final String ENDED = "switchboard.router.conversations.ended";
    static final String DEAD_LETTERS = "switchboard.router.dead.letters";

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    RouterMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    MeterRegistry registry() {
        return registry;
    }

    void in(String type) {
        count(EVENTS_IN, "type", type, "Inbound events consumed, by payload type");
    }

    void out(String type) {
        count(EVENTS_OUT, "type", type, "Agent events produced, by payload type");
    }

    void duplicate(String type) {
        count(DUPLICATES, "type", type, "Inbound events dropped as duplicates of an event id seen within the dedup window");
    }

    void dropped(String reason) {
        count(DROPPED, "reason", reason, "Inbound events the router did not route, by reason");
    }

    void ended(String reason) {
        count(ENDED, "reason", reason, "Conversations ended, by reason");
    }

    void deadLetter(String stage) {
        count(DEAD_LETTERS, "stage", stage, "Records sent to tac.dlq.v1, by where they failed");
    }

    private void count(String name, String tag, String value, String description) {
        counters.computeIfAbsent(name + '|' + value, key -> Counter.builder(name).tag(tag, value)
                .description(description).register(registry)).increment();
    }
}
