package io.switchboard.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.config.InternalToken;
import io.switchboard.config.InvalidConfigurationException;
import io.switchboard.config.KafkaSettings;
import io.switchboard.config.ConfigDocs;
import io.switchboard.events.Channel;
import io.switchboard.serde.EventSerdes;
import io.switchboard.testkit.LogCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterConfigTest {

    @Test
    void anIdlePollNeverOutwaitsTheCommitThatShowsRoutedEventsToAgents() {
        for (String interval : new String[] {"20", "5", "500"}) {
            RouterConfig config = RouterConfig.fromEnv(Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092",
                    RouterConfig.COMMIT_INTERVAL_MS, interval));
            java.util.Properties props = RouterService.streamsProperties(config, config.kafka().serdes(),
                    new RouterMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
            long pollMs = ((Number) props.get(org.apache.kafka.streams.StreamsConfig.POLL_MS_CONFIG)).longValue();
            assertThat(pollMs).as("poll.ms with commit interval " + interval)
                    .isLessThanOrEqualTo(Math.min(config.commitInterval().toMillis(), 100)).isPositive();
        }
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        RouterConfig config = RouterConfig.fromEnv(Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092"));
        assertThat(config.applicationId()).isEqualTo("switchboard-router");
        assertThat(config.inactivityTimeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.dedupWindow()).isEqualTo(Duration.ofHours(24));
        assertThat(config.callEndGrace()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.commitInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(config.streamThreads()).isEqualTo(1);
        assertThat(config.kafka().bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(config.memoryEnabled()).isFalse();
        assertThat(config.memoryMode(Channel.VOICE)).isEqualTo(MemoryMode.NEVER);
        assertThat(config.memoryTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.startTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.memoryUrl()).isNull();
    }

    @Test
    void memoryModeHasADefaultForAllChannelsAndOverridesPerChannel() {
        RouterConfig config = RouterConfig.fromEnv(Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092",
                RouterConfig.MEMORY_MODE, "once", RouterConfig.MEMORY_MODE_PREFIX + "VOICE", "never",
                RouterConfig.MEMORY_MODE_PREFIX + "SMS", "ALWAYS", RouterConfig.MEMORY_URL, "http://localhost:8083",
                RouterConfig.MEMORY_TIMEOUT_MS, "250", InternalToken.NAME, "router-config-test-token"));
        assertThat(config.memoryMode(Channel.VOICE)).isEqualTo(MemoryMode.NEVER);
        assertThat(config.memoryMode(Channel.SMS)).isEqualTo(MemoryMode.ALWAYS);
        assertThat(config.memoryMode(Channel.WHATSAPP)).isEqualTo(MemoryMode.ONCE);
        assertThat(config.memoryMode(Channel.UNKNOWN)).isEqualTo(MemoryMode.ONCE);
        assertThat(config.memoryEnabled()).isTrue();
        assertThat(config.memoryTimeout()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void memoryUrlIsRequiredOnlyWhenAModeIsNotNever() {
        assertThatThrownBy(() -> RouterConfig.fromEnv(Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092",
                RouterConfig.MEMORY_MODE_PREFIX + "WHATSAPP", "once")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining(RouterConfig.MEMORY_URL)
                .hasMessageContaining("WHATSAPP");
        assertThatThrownBy(() -> RouterConfig.fromEnv(Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092",
                RouterConfig.MEMORY_MODE, "always", RouterConfig.MEMORY_URL, "localhost:8083")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining(RouterConfig.MEMORY_URL);
        assertThatThrownBy(() -> RouterConfig.fromEnv(Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092",
                RouterConfig.MEMORY_MODE, "sometimes")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining(RouterConfig.MEMORY_MODE);
        RouterConfig never = RouterConfig.fromEnv(Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092",
                RouterConfig.MEMORY_MODE, "never"));
        assertThat(never.memoryEnabled()).isFalse();
        assertThat(never.internalToken()).isNull();
    }

    @Test
    void theInternalTokenIsRequiredWhenTheRouterCallsTheMemoryService() {
        assertThatThrownBy(() -> RouterConfig.fromEnv(Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092",
                RouterConfig.MEMORY_MODE, "once", RouterConfig.MEMORY_URL, "http://localhost:9464")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith(InternalToken.NAME + " is required");
    }

    @Test
    void durationsAreMilliseconds() {
        try (LogCapture logs = LogCapture.install()) {
            RouterConfig config = RouterConfig.fromEnv(Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092",
                    RouterConfig.INACTIVITY_TIMEOUT_MS, "7200000", RouterConfig.DEDUP_WINDOW_MS, "90000",
                    RouterConfig.COMMIT_INTERVAL_MS, "50", RouterConfig.CALL_END_GRACE_MS, "0",
                    RouterConfig.START_TIMEOUT_MS, "2000", RouterConfig.MEMORY_TIMEOUT_MS, "300"));
            assertThat(config.inactivityTimeout()).isEqualTo(Duration.ofHours(2));
            assertThat(config.dedupWindow()).isEqualTo(Duration.ofSeconds(90));
            assertThat(config.commitInterval()).isEqualTo(Duration.ofMillis(50));
            assertThat(config.callEndGrace()).isZero();
            assertThat(config.startTimeout()).isEqualTo(Duration.ofSeconds(2));
            assertThat(config.memoryTimeout()).isEqualTo(Duration.ofMillis(300));
            assertThat(logs.containing("deprecated")).isEmpty();
        }
    }

    @Test
    @SuppressWarnings("deprecation")
    void theFormerDurationNamesAreStillReadWithOneWarningNamingTheNewSetting() {
        try (LogCapture logs = LogCapture.install()) {
            RouterConfig config = RouterConfig.fromEnv(Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092",
                    RouterConfig.INACTIVITY_TIMEOUT, "PT2H", RouterConfig.DEDUP_WINDOW, "90s",
                    RouterConfig.COMMIT_INTERVAL, "50", RouterConfig.CALL_END_GRACE, "0s",
                    RouterConfig.START_TIMEOUT, "2m", RouterConfig.MEMORY_TIMEOUT, "250ms"));
            assertThat(config.inactivityTimeout()).isEqualTo(Duration.ofHours(2));
            assertThat(config.dedupWindow()).isEqualTo(Duration.ofSeconds(90));
            assertThat(config.commitInterval()).isEqualTo(Duration.ofMillis(50));
            assertThat(config.callEndGrace()).isZero();
            assertThat(config.startTimeout()).isEqualTo(Duration.ofMinutes(2));
            assertThat(config.memoryTimeout()).isEqualTo(Duration.ofMillis(250));
            assertThat(logs.containing("SWITCHBOARD_INACTIVITY_TIMEOUT is deprecated")).singleElement().asString()
                    .contains("set SWITCHBOARD_INACTIVITY_TIMEOUT_MS=7200000");
            assertThat(logs.containing("SWITCHBOARD_MEMORY_TIMEOUT is deprecated")).singleElement().asString()
                    .contains("set SWITCHBOARD_MEMORY_TIMEOUT_MS=250");
            assertThat(logs.containing("is deprecated")).hasSize(6);
        }
    }

    @Test
    @SuppressWarnings("deprecation")
    void aFormerDurationNameYieldsToTheNewOneAndKeepsItsBounds() {
        try (LogCapture logs = LogCapture.install()) {
            RouterConfig both = RouterConfig.fromEnv(Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092",
                    RouterConfig.DEDUP_WINDOW, "1h", RouterConfig.DEDUP_WINDOW_MS, "60000"));
            assertThat(both.dedupWindow()).isEqualTo(Duration.ofMinutes(1));
            assertThat(logs.containing("SWITCHBOARD_ROUTER_DEDUP_WINDOW is deprecated and ignored")).hasSize(1);
        }
        assertThatThrownBy(() -> RouterConfig.fromEnv(Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092",
                RouterConfig.INACTIVITY_TIMEOUT, "500ms")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining(RouterConfig.INACTIVITY_TIMEOUT);
        assertThatThrownBy(() -> RouterConfig.fromEnv(Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092",
                RouterConfig.MEMORY_TIMEOUT, "soon")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining(RouterConfig.MEMORY_TIMEOUT);
    }

    @Test
    void readmeTableIsGeneratedFromTheDeclarations() throws IOException {
        String table = ConfigDocs.markdownTable(RouterConfig.DEFINITION, ConfigDocs.names(KafkaSettings.DEFINITION))
                .replace(System.getProperty("java.io.tmpdir"), "$TMPDIR");
        String readme = Files.readString(Path.of("README.md"));
        assertThat(readme).as("channel-router/README.md must contain:%n%s", table).contains(table);
    }

    @Test
    void invalidOrMissingSettingsNameTheVariable() {
        assertThatThrownBy(() -> RouterConfig.fromEnv(Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092",
                RouterConfig.INACTIVITY_TIMEOUT_MS, "30m")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining(RouterConfig.INACTIVITY_TIMEOUT_MS);
        assertThatThrownBy(() -> RouterConfig.fromEnv(Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092",
                RouterConfig.INACTIVITY_TIMEOUT_MS, "999")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining(RouterConfig.INACTIVITY_TIMEOUT_MS);
        assertThatThrownBy(() -> RouterConfig.fromEnv(Map.of()))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining(KafkaSettings.BOOTSTRAP_SERVERS);
    }
}
