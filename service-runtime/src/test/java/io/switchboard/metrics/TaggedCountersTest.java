package io.switchboard.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class TaggedCountersTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TaggedCounters counters = new TaggedCounters(registry);

    @Test
    void sameNameAndTagsAreOneCachedCounter() {
        Counter first = counters.counter("switchboard.test.calls", null, "api", "messages", "status", "200");
        Counter again = counters.counter("switchboard.test.calls", null, "api", "messages", "status", "200");
        first.increment();
        again.increment();

        assertThat(again).isSameAs(first);
        assertThat(registry.find("switchboard.test.calls").counters()).hasSize(1);
        assertThat(registry.get("switchboard.test.calls").tag("api", "messages").tag("status", "200").counter().count())
                .isEqualTo(2);
    }

    @Test
    void differentTagValuesAreDifferentMeters() {
        counters.counter("switchboard.test.calls", null, "api", "messages", "status", "200").increment();
        counters.counter("switchboard.test.calls", null, "api", "messages", "status", "503").increment();
        // would be one key if name and values were joined with '|'
        counters.counter("switchboard.test.calls", null, "api", "messages|status", "status", "200").increment();

        assertThat(registry.find("switchboard.test.calls").counters()).hasSize(3);
        assertThat(registry.get("switchboard.test.calls").tag("api", "messages").tag("status", "503").counter().count())
                .isEqualTo(1);
    }

    @Test
    void theDescriptionIsAppliedAndNullMeansNone() {
        Counter described = counters.counter("switchboard.test.described", "Things counted", "kind", "a");
        Counter plain = counters.counter("switchboard.test.plain", null);

        assertThat(described.getId().getDescription()).isEqualTo("Things counted");
        assertThat(plain.getId().getDescription()).isNull();
        assertThat(plain.getId().getTags()).isEmpty();
        assertThat(counters.registry()).isSameAs(registry);
    }

    @Test
    void tagsThatAreNotPairsAreRefused() {
        assertThatThrownBy(() -> counters.counter("switchboard.test.odd", null, "api"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("switchboard.test.odd");
    }
}
