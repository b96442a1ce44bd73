package io.switchboard.ingress.voice;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.ingress.IngressConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LookupScheduleTest {
    private static List<Long> delays(LookupSchedule schedule) {
        return IntStream.rangeClosed(1, schedule.attempts()).mapToObj(n -> schedule.delayBefore(n).toMillis()).toList();
    }

    @Test
    void tacsScheduleIsTenTriesFrom250MsDoublingCappedAt1500() {
        assertThat(delays(LookupSchedule.tac()))
                .containsExactly(0L, 250L, 500L, 1000L, 1500L, 1500L, 1500L, 1500L, 1500L, 1500L);
        assertThat(LookupSchedule.tac().totalWait()).isEqualTo(Duration.ofMillis(10_750));
        assertThat(LookupSchedule.tac().hasAttemptAfter(9)).isTrue();
        assertThat(LookupSchedule.tac().hasAttemptAfter(10)).isFalse();
    }

    @Test
    void theDefaultsOfTheSettingsAreTacs() {
        IngressConfig config = IngressConfig.fromEnv(Map.of("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092",
                "TWILIO_ACCOUNT_SID", "AC1", "TWILIO_AUTH_TOKEN", "t"));
        assertThat(config.lookupSchedule()).isEqualTo(LookupSchedule.tac());
    }

    @Test
    void theSettingsChangeTheSchedule() {
        IngressConfig config = IngressConfig.fromEnv(Map.of("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092",
                "TWILIO_ACCOUNT_SID", "AC1", "TWILIO_AUTH_TOKEN", "t", "SWITCHBOARD_VOICE_LOOKUP_ATTEMPTS", "4",
                "SWITCHBOARD_VOICE_LOOKUP_INITIAL_BACKOFF_MS", "100", "SWITCHBOARD_VOICE_LOOKUP_MAX_BACKOFF_MS", "300"));
        assertThat(delays(config.lookupSchedule())).containsExactly(0L, 100L, 200L, 300L);
    }
}
