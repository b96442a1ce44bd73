package io.switchboard.ingress.voice;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RelayFieldsTest {
    @Test
    void durationUntilInterruptIsAcceptedAsNumberOrString() {
        assertThat(RelaySocketHandler.millis(1460)).isEqualTo(1460L);
        assertThat(RelaySocketHandler.millis("1460")).isEqualTo(1460L);
        assertThat(RelaySocketHandler.millis("1460.7")).isEqualTo(1460L);
        assertThat(RelaySocketHandler.millis(null)).isZero();
    }
}
