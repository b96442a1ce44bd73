package io.switchboard.twilio;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.metrics.TaggedCounters;

/**
 * The meters of Twilio REST calls, for whichever service makes them: calls by API and HTTP status, and the repeats
 * of the {@link Retrier}. Each counter is registered once per tag values and cached, so counting a call costs no
 * registry look-up. One per service, built on its registry.
 */
public final class TwilioApiMetrics {
    /** Conversation Orchestrator (v2) and Memory calls of the {@link OrchestratorClient}; tags api, status. */
    public static final String CALLS = "switchboard.twilio.calls";
    /** Conversations v1 calls made through the Twilio SDK (by the outbound sender only); tags api, status. */
    public static final String V1_CALLS = "switchboard.outbound.twilio.calls";
    /** Calls repeated by the {@link Retrier}, in every service (the name predates that); tags api, status. */
    public static final String RETRIES = "switchboard.outbound.twilio.retries";

    private static final String CALLS_DESCRIPTION = "Twilio REST calls by API and HTTP status";
    private static final String RETRIES_DESCRIPTION = "Twilio calls repeated after a retryable failure";

    private final TaggedCounters counters;

    public TwilioApiMetrics(MeterRegistry registry) {
        this.counters = new TaggedCounters(registry);
    }

    /** An Orchestrator or Memory call answered with {@code status} (an HTTP status, or {@code io}); api gets "v2.". */
    void orchestratorCall(String api, String status) {
        count(CALLS, "v2." + api, status, CALLS_DESCRIPTION);
    }

    /** A Conversations v1 call answered with {@code status} (an HTTP status, {@code io} or {@code unknown}). */
    public void v1Call(String api, String status) {
        count(V1_CALLS, api, status, CALLS_DESCRIPTION);
    }

    /** A call that failed with {@code status} (an HTTP status, or {@code io}) and will be repeated. */
    void retry(String api, String status) {
        count(RETRIES, api, status, RETRIES_DESCRIPTION);
    }

    private void count(String name, String api, String status, String description) {
        counters.counter(name, description, "api", api, "status", status).increment();
    }
}
