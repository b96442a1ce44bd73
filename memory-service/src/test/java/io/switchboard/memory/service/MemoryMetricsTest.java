package io.switchboard.memory.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class MemoryMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MemoryMetrics metrics = new MemoryMetrics(registry, "twilio");

    @Test
    void apiOutcomesCarryTheProviderOnOneCounterPerOutcome() {
        metrics.retrieval("ok");
        metrics.retrieval("ok");
        metrics.observation("error");

        assertThat(registry.get(MemoryMetrics.RETRIEVALS).tag("provider", "twilio").tag("outcome", "ok").counter()
                .count()).isEqualTo(2);
        assertThat(registry.get(MemoryMetrics.OBSERVATIONS).tag("provider", "twilio").tag("outcome", "error")
                .counter().count()).isEqualTo(1);
        assertThat(registry.find(MemoryMetrics.RETRIEVALS).counters()).hasSize(1);
        assertThat(registry.get(MemoryMetrics.RETRIEVAL_LATENCY).tag("provider", "twilio").timer().count()).isZero();
    }

    @Test
    void intelligenceWritesAreTaggedWithTheKindInLowerCase() {
        metrics.intelligenceWrite(IntelligenceResults.Kind.SUMMARY, "failed");

        assertThat(registry.get(MemoryMetrics.INTELLIGENCE_WRITES).tag("kind", "summary").tag("outcome", "failed")
                .counter().count()).isEqualTo(1);
    }
}
