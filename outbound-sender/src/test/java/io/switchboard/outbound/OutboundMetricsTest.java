package io.switchboard.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.events.DeliveryStatus;
import org.junit.jupiter.api.Test;

class OutboundMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final OutboundMetrics metrics = new OutboundMetrics(registry);

    @Test
    void eachIngressInstanceIsOneVoiceFramesCounter() {
        metrics.voiceFrame(0);
        metrics.voiceFrame(1);
        metrics.voiceFrame(1);

        assertThat(registry.get(OutboundMetrics.VOICE_FRAMES).tag("instance", "1").counter().count()).isEqualTo(2);
        assertThat(registry.find(OutboundMetrics.VOICE_FRAMES).counters()).hasSize(2);
    }

    @Test
    void deadLettersReadZeroBeforeTheFirstOne() {
        assertThat(registry.get(OutboundMetrics.DEAD_LETTERS).counter().count()).isZero();
    }

    @Test
    void deliveriesAreCountedByStatusAndDeadLettersOnOneCounter() {
        metrics.delivery(DeliveryStatus.SENT);
        metrics.delivery(DeliveryStatus.FAILED);
        metrics.deadLetter();
        metrics.deadLetter();

        assertThat(registry.get(OutboundMetrics.DELIVERIES).tag("status", "FAILED").counter().count()).isEqualTo(1);
        assertThat(registry.get(OutboundMetrics.DEAD_LETTERS).counter().count()).isEqualTo(2);
        assertThat(registry.get(OutboundMetrics.DEAD_LETTERS).counter().getId().getDescription())
                .isEqualTo("Outbound events dead-lettered");
    }
}
