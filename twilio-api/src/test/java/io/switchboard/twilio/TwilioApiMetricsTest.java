package io.switchboard.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TwilioApiMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TwilioApiMetrics metrics = new TwilioApiMetrics(registry);

    @Test
    void eachRepeatIsCountedByApiAndTheStatusThatFailed() {
        Retrier retrier = new Retrier(new RetryPolicy(4, Duration.ZERO, Duration.ZERO), metrics);
        AtomicInteger calls = new AtomicInteger();

        Retrier.Attempted<String> done = retrier.call("participants.list", true, () -> switch (calls.incrementAndGet()) {
            case 1, 2 -> throw TwilioCallException.fromStatus(503, null, "busy", null);
            case 3 -> throw new TwilioCallException(TwilioCallException.Kind.RETRYABLE, null, null, "refused", null, null);
            default -> "ok";
        });

        assertThat(done.attempts()).isEqualTo(4);
        assertThat(registry.get(TwilioApiMetrics.RETRIES).tag("api", "participants.list").tag("status", "503")
                .counter().count()).isEqualTo(2);
        assertThat(registry.get(TwilioApiMetrics.RETRIES).tag("api", "participants.list").tag("status", "io")
                .counter().count()).isEqualTo(1);
        assertThat(registry.find(TwilioApiMetrics.RETRIES).counters()).hasSize(2);
    }

    @Test
    void orchestratorAndConversationsV1CallsAreTwoMetersDescribedAlike() {
        metrics.orchestratorCall("participants.list", "200");
        metrics.orchestratorCall("participants.list", "200");
        metrics.v1Call("v1.messages.create", "201");

        var orchestrator = registry.get(TwilioApiMetrics.CALLS).tag("api", "v2.participants.list").tag("status", "200")
                .counter();
        var v1 = registry.get(TwilioApiMetrics.V1_CALLS).tag("api", "v1.messages.create").tag("status", "201").counter();
        assertThat(orchestrator.count()).isEqualTo(2);
        assertThat(v1.count()).isEqualTo(1);
        assertThat(orchestrator.getId().getDescription()).isEqualTo(v1.getId().getDescription())
                .isEqualTo("Twilio REST calls by API and HTTP status");
    }
}
