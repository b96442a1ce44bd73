package io.switchboard.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.config.InvalidConfigurationException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IngressConfigTest {
    private static Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092",
                "TWILIO_ACCOUNT_SID", "AC1", "TWILIO_AUTH_TOKEN", "t"));
        env.putAll(extra);
        return env;
    }

    @Test
    void missingAuthTokenFailsNamingIt() {
        Map<String, String> env = env(Map.of());
        env.remove("TWILIO_AUTH_TOKEN");
        assertThatThrownBy(() -> IngressConfig.fromEnv(env)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("TWILIO_AUTH_TOKEN");
    }

    @Test
    void instanceIdMustHaveAnEgressPartition() {
        assertThatThrownBy(() -> IngressConfig.fromEnv(env(Map.of("INGRESS_INSTANCE_ID", "16"))))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("INGRESS_INSTANCE_ID");
    }

    @Test
    void defaultsFollowTac() {
        IngressConfig config = IngressConfig.fromEnv(env(Map.of()));
        assertThat(config.websocketPath()).isEqualTo("/ws");
        assertThat(config.actionPath()).isEqualTo("/conversation-relay-callback");
        assertThat(config.welcomeGreeting()).isEqualTo("Hello! How can I assist you today?");
        assertThat(config.orchestrated()).isFalse();
        assertThat(config.webhookBodyLimit()).isEqualTo(65_536);
        assertThat(config.port()).isEqualTo(8080);
    }

    @Test
    void languagesAreParsedFromTheSimpleSyntax() {
        IngressConfig config = IngressConfig.fromEnv(env(Map.of("TWILIO_VOICE_LANGUAGES", "es-MX;voice=Polly.Mia, fr-FR")));
        assertThat(config.languages()).containsExactly(
                new IngressConfig.RelayLanguage("es-MX", Map.of("voice", "Polly.Mia")),
                new IngressConfig.RelayLanguage("fr-FR", Map.of()));
        assertThatThrownBy(() -> IngressConfig.fromEnv(env(Map.of("TWILIO_VOICE_LANGUAGES", "es-MX;colour=red"))))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("TWILIO_VOICE_LANGUAGES");
    }

    @Test
    void onlyAcAnd32HexDigitsOtherThanTheDevPlaceholderIsARealAccount() {
        assertThat(IngressConfig.isRealAccountSid("AC" + "a1".repeat(16))).isTrue();
        assertThat(IngressConfig.isRealAccountSid(IngressConfig.DEV_ACCOUNT_SID)).isFalse();
        assertThat(IngressConfig.isRealAccountSid("AC1")).isFalse();
        assertThat(IngressConfig.isRealAccountSid("ACdev")).isFalse();
    }

    @Test
    void maxInFlightDefaultsToAThousandAndMustBePositive() {
        assertThat(IngressConfig.fromEnv(env(Map.of())).maxInFlight()).isEqualTo(1_000);
        assertThatThrownBy(() -> IngressConfig.fromEnv(env(Map.of("INGRESS_MAX_IN_FLIGHT", "0"))))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("INGRESS_MAX_IN_FLIGHT");
    }
}
