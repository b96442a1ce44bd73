package io.switchboard.router;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.metrics.TaggedCounters;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The router's counters: what it consumed and produced by event type, what it dropped and why, what it dead-lettered,
 * memory fetches by outcome; and a gauge of the messages held for their memory.
 */
final class RouterMetrics {
    static final String EVENTS_IN = "switchboard.router.events.in";
    static final String EVENTS_OUT = "switchboard.router.events.out";
    static final String DUPLICATES = "switchboard.router.duplicates";
    static final String DROPPED = "switchboard.router.events.dropped";
    static final String ENDED = "switchboard.router.conversations.ended";
    static final String DEAD_LETTERS = "switchboard.router.dead.letters";
    static final String MEMORY_FETCHES = "switchboard.router.memory.fetches";
    static final String MEMORY_HELD = "switchboard.router.memory.held";
    /** Where a record failed (DeadLetterHandler): its bytes did not decode, or processing it threw. */
    static final String STAGE_DESERIALIZATION = "deserialization";
    static final String STAGE_PROCESSING = "processing";
    private static final List<String> DEAD_LETTER_STAGES = List.of(STAGE_DESERIALIZATION, STAGE_PROCESSING);
    private static final String DEAD_LETTERS_DESCRIPTION = "Records sent to tac.dlq.v1, by where they failed";

    private final TaggedCounters counters;
    private final AtomicLong held = new AtomicLong();

    RouterMetrics(MeterRegistry registry) {
        this.counters = new TaggedCounters(registry);
        Gauge.builder(MEMORY_HELD, held, AtomicLong::get)
                .description("Messages held while their memory is fetched (their conversation's later events wait behind them)")
                .register(registry);
        // registered at 0, so a rule's increase() sees the first dead letter (a series born at 1 shows no increase)
        for (String stage : DEAD_LETTER_STAGES) {
            counters.counter(DEAD_LETTERS, DEAD_LETTERS_DESCRIPTION, "stage", stage);
        }
    }

    MeterRegistry registry() {
        return counters.registry();
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
        count(DEAD_LETTERS, "stage", stage, DEAD_LETTERS_DESCRIPTION);
    }

    /** A memory fetch finished: {@code ok}, {@code timeout} or {@code error}. */
    void memoryFetch(String outcome) {
        count(MEMORY_FETCHES, "outcome", outcome, "Memory fetches of the router, by outcome (ok, timeout, error)");
    }

    void held(int delta) {
        held.addAndGet(delta);
    }

    private void count(String name, String tag, String value, String description) {
        counters.counter(name, description, tag, value).increment();
    }
}
