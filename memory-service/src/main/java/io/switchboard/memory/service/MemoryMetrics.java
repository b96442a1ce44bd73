package io.switchboard.memory.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.switchboard.metrics.TaggedCounters;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The memory service's meters: retrievals and observation writes of its API by outcome, tagged with the provider
 * ({@code local} or {@code twilio}), the retrieval latency, requests refused for want of the internal token, and
 * Conversation Intelligence writes to Twilio Memory by kind and outcome. Each counter is registered once per tag
 * values and cached, so counting costs no registry look-up. Its Twilio calls are counted by {@code TwilioApiMetrics}.
 */
final class MemoryMetrics {
    static final String RETRIEVALS = "switchboard.memory.retrievals";
    static final String RETRIEVAL_LATENCY = "switchboard.memory.retrieval.latency";
    static final String OBSERVATIONS = "switchboard.memory.observations";
    static final String UNAUTHORIZED = "switchboard.memory.unauthorized";
    static final String INTELLIGENCE_WRITES = "switchboard.memory.intelligence.writes";

    private final TaggedCounters counters;
    private final String provider;
    private final Timer latency;

    MemoryMetrics(MeterRegistry registry, String provider) {
        this.counters = new TaggedCounters(registry);
        this.provider = provider;
        // a histogram (buckets), so Prometheus computes quantiles over every memory instance; the local percentiles stay
        this.latency = Timer.builder(RETRIEVAL_LATENCY).description("Time to answer a memory retrieval")
                .tag("provider", provider).publishPercentiles(0.5, 0.99).publishPercentileHistogram()
                .register(registry);
    }

    /** For the meters of the runtime this service runs on (its Kafka consumers). */
    MeterRegistry registry() {
        return counters.registry();
    }

    /** A retrieval answered: {@code ok}, {@code bad_request}, {@code unavailable} or {@code error}. */
    void retrieval(String outcome) {
        providerCounter(RETRIEVALS, outcome).increment();
    }

    void retrievalTook(long nanos) {
        latency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** An observation write answered: {@code ok}, {@code bad_request} or {@code error}. */
    void observation(String outcome) {
        providerCounter(OBSERVATIONS, outcome).increment();
    }

    void unauthorized() {
        counters.counter(UNAUTHORIZED, "Memory API requests refused for want of the internal token").increment();
    }

    /** A Conversation Intelligence write to Twilio Memory: {@code ok} or {@code failed}. */
    void intelligenceWrite(IntelligenceResults.Kind kind, String outcome) {
        counters.counter(INTELLIGENCE_WRITES, null, "kind", kind.name().toLowerCase(Locale.ROOT), "outcome", outcome)
                .increment();
    }

    private Counter providerCounter(String name, String outcome) {
        return counters.counter(name, null, "provider", provider, "outcome", outcome);
    }
}
