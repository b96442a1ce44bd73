package io.switchboard.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class RouterMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RouterMetrics metrics = new RouterMetrics(registry);

    @Test
    void deadLettersOfEachStageReadZeroBeforeTheFirstOne() {
        assertThat(registry.find(RouterMetrics.DEAD_LETTERS).counters())
                .extracting(c -> c.getId().getTag("stage"))
                .containsExactlyInAnyOrder(RouterMetrics.STAGE_DESERIALIZATION, RouterMetrics.STAGE_PROCESSING);
        metrics.deadLetter(RouterMetrics.STAGE_PROCESSING);

        assertThat(registry.get(RouterMetrics.DEAD_LETTERS).tag("stage", "processing").counter().count()).isEqualTo(1);
        assertThat(registry.get(RouterMetrics.DEAD_LETTERS).tag("stage", "deserialization").counter().count()).isZero();
    }
}
