package io.switchboard.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class IngressMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final IngressMetrics metrics = new IngressMetrics(registry);

    @Test
    void refusalsAndEgressResultsReadZeroBeforeTheFirstOne() {
        assertThat(registry.find(IngressMetrics.RELAY_UPGRADES_REFUSED).counters())
                .extracting(c -> c.getId().getTag("reason"))
                .containsExactlyInAnyOrder("forged_budget", "signature", "capacity");
        assertThat(registry.find(IngressMetrics.EGRESS_FRAMES).counters())
                .extracting(c -> c.getId().getTag("result"))
                .containsExactlyInAnyOrder("written", "stale", "duplicate", "no_socket");
        assertThat(registry.get(IngressMetrics.WEBHOOKS_SHED).counter().count()).isZero();
        assertThat(registry.get(IngressMetrics.RELAY_FRAMES_REJECTED).counter().count()).isZero();
    }

    @Test
    void relaySocketsAreGaugedWithTheirMaximum() {
        java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger(3);
        metrics.relaySocketsOpen(open, 500);

        assertThat(registry.get(IngressMetrics.RELAY_SOCKETS_OPEN).gauge().value()).isEqualTo(3);
        assertThat(registry.get(IngressMetrics.RELAY_SOCKETS_MAX).gauge().value()).isEqualTo(500);
    }

    @Test
    void eachRouteAndStatusIsOneCounterAndOneTimer() {
        long threeMillis = Duration.ofMillis(3).toNanos();
        metrics.request("/webhook", "200", threeMillis);
        metrics.request("/webhook", "200", threeMillis);
        metrics.request("/webhook", "403", threeMillis);

        assertThat(registry.get(IngressMetrics.REQUESTS).tag("route", "/webhook").tag("status", "200").counter().count())
                .isEqualTo(2);
        assertThat(registry.get(IngressMetrics.REQUEST_LATENCY).tag("route", "/webhook").tag("status", "200").timer()
                .count()).isEqualTo(2);
        assertThat(registry.find(IngressMetrics.REQUESTS).counters()).hasSize(2);
        assertThat(registry.find(IngressMetrics.REQUEST_LATENCY).timers()).hasSize(2);
    }
}
