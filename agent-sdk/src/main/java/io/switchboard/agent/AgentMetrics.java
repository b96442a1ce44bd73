package io.switchboard.agent;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.switchboard.metrics.TaggedCounters;
import java.util.concurrent.atomic.AtomicInteger;

/** The agent's meters, tagged with its group id. */
final class AgentMetrics {
    final AtomicInteger active = new AtomicInteger();
    final Counter retries;
    final Counter deadLetters;
    final Counter cancelled;
    final Counter skipped;
    final Counter produced;
    final Counter copies;
    private final TaggedCounters counters;
    private final String group;

    AgentMetrics(MeterRegistry registry, String group) {
        this.counters = new TaggedCounters(registry);
        this.group = group;
        Gauge.builder("switchboard.agent.handlers.active", active, AtomicInteger::get)
                .description("Agent events being handled now").tag("group", group).register(registry);
        retries = groupCounter("switchboard.agent.retries", null);
        deadLetters = groupCounter("switchboard.agent.dead.letters", null);
        cancelled = groupCounter("switchboard.agent.interrupted", "Message handlers cancelled by an interrupt");
        skipped = groupCounter("switchboard.agent.skipped", "Messages not handled because a later interrupt had arrived");
        produced = groupCounter("switchboard.agent.outbound", null);
        copies = groupCounter("switchboard.agent.copies",
                "Agent events dropped as a second copy of an event already handled (same event id)");
    }

    Timer latency(String kind) {
        return Timer.builder("switchboard.agent.handler.latency").tag("group", group).tag("event", kind)
                .register(counters.registry());
    }

    /** Handler failures by the kind of event handled ({@code message}, {@code interrupt}, {@code intelligence} ...). */
    Counter errors(String kind) {
        return counters.counter("switchboard.agent.handler.errors", null, "group", group, "event", kind);
    }

    private Counter groupCounter(String name, String description) {
        return counters.counter(name, description, "group", group);
    }
}
