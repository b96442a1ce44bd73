package io.switchboard.agent;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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
    private final MeterRegistry registry;
    private final String group;

    AgentMetrics(MeterRegistry registry, String group) {
        this.registry = registry;
        this.group = group;
        Gauge.builder("switchboard.agent.handlers.active", active, AtomicInteger::get)
                .description("Agent events being handled now").tag("group", group).register(registry);
        retries = Counter.builder("switchboard.agent.retries").tag("group", group).register(registry);
        deadLetters = Counter.builder("switchboard.agent.dead.letters").tag("group", group).register(registry);
        cancelled = Counter.builder("switchboard.agent.interrupted")
                .description("Message handlers cancelled by an interrupt").tag("group", group).register(registry);
        skipped = Counter.builder("switchboard.agent.skipped")
                .description("Messages not handled because a later interrupt had arrived").tag("group", group)
                .register(registry);
        produced = Counter.builder("switchboard.agent.outbound").tag("group", group).register(registry);
        copies = Counter.builder("switchboard.agent.copies")
                .description("Agent events dropped as a second copy of an event already handled (same event id)")
                .tag("group", group).register(registry);
    }

    Timer latency(String kind) {
        return Timer.builder("switchboard.agent.handler.latency").tag("group", group).tag("event", kind)
                .register(registry);
    }

    Counter errors(String kind) {
        return Counter.builder("switchboard.agent.handler.errors").tag("group", group).tag("event", kind)
                .register(registry);
    }
}
