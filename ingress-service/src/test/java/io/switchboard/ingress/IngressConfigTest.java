package io.switchboard.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.config.InvalidConfigurationException;
import io.switchboard.events.Channel;
import io.switchboard.ingress.twiml.RelayAttribute;
import io.switchboard.ingress.twiml.RelayLanguage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    void channelsAreEveryOneByDefaultOrTheRegisteredOnesAndAnUnknownOneFailsTheStart() {
        assertThat(IngressConfig.fromEnv(env(Map.of())).channels())
                .containsExactlyInAnyOrder(Channel.VOICE, Channel.SMS, Channel.WHATSAPP, Channel.RCS, Channel.CHAT);
        assertThat(IngressConfig.fromEnv(env(Map.of("SWITCHBOARD_CHANNELS", " sms, WhatsApp "))).channels())
                .containsExactlyInAnyOrder(Channel.SMS, Channel.WHATSAPP);
        assertThatThrownBy(() -> IngressConfig.fromEnv(env(Map.of("SWITCHBOARD_CHANNELS", "SMS,FAX"))))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("SWITCHBOARD_CHANNELS")
                .hasMessageContaining("FAX");
        assertThatThrownBy(() -> IngressConfig.fromEnv(env(Map.of("SWITCHBOARD_CHANNELS", " , "))))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("SWITCHBOARD_CHANNELS");
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
        assertThat(config.twimlPath()).isEqualTo("/twiml");
        assertThat(config.webhookPath()).isEqualTo("/webhook");
        assertThat(config.ciWebhookPath()).isEqualTo("/ci-webhook");
        assertThat(config.relayOptions().attributes()).containsOnly(
                Map.entry(RelayAttribute.WELCOME_GREETING, "Hello! How can I assist you today?"));
        assertThat(config.orchestrated()).isFalse();
        assertThat(config.webhookBodyLimit()).isEqualTo(65_536);
        assertThat(config.port()).isEqualTo(8080);
    }

    @Test
    void languagesAreParsedFromTheSimpleSyntax() {
        IngressConfig config = IngressConfig.fromEnv(env(Map.of("TWILIO_VOICE_LANGUAGES", "es-MX;voice=Polly.Mia, fr-FR")));
        assertThat(config.relayOptions().languages()).containsExactly(
                new RelayLanguage("es-MX", Map.of("voice", "Polly.Mia")),
                new RelayLanguage("fr-FR", Map.of()));
        assertThatThrownBy(() -> IngressConfig.fromEnv(env(Map.of("TWILIO_VOICE_LANGUAGES", "es-MX;colour=red"))))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("TWILIO_VOICE_LANGUAGES");
    }

    @Test
    void aRelayAttributeTwilioWouldRefuseStopsTheStartNamingIt() {
        assertThatThrownBy(() -> IngressConfig.fromEnv(env(Map.of("TWILIO_VOICE_INTERRUPT_SENSITIVITY", "loud"))))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("TWILIO_VOICE_INTERRUPT_SENSITIVITY").hasMessageContaining("low, medium, high");
        assertThatThrownBy(() -> IngressConfig.fromEnv(env(Map.of("TWILIO_VOICE_EOT_THRESHOLD", "high"))))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("TWILIO_VOICE_EOT_THRESHOLD");
        assertThatThrownBy(() -> IngressConfig.fromEnv(env(Map.of("TWILIO_VOICE_DTMF_DETECTION", "yes"))))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("TWILIO_VOICE_DTMF_DETECTION");
    }

    @Test
    void badTwimlRulesStopTheStartNamingTheRuleAndTheProblem() {
        Map<String, String> cases = Map.of(
                "{\"match\": {}}", "not a JSON array",
                "[{\"match\": {\"To\": \"+1\"}, \"set\": {\"lang\": \"es-MX\"}}]", "rule 1: unknown ConversationRelay attribute 'lang'",
                "[{\"match\": {\"To\": \"+1\"}, \"set\": {\"voice\": \"a\"}}, {\"set\": {\"voice\": \"b\"}}]", "rule 2: 'match' must be a non-empty object",
                "[{\"match\": {\"To\": \"+1\"}, \"set\": {\"interruptible\": \"sometimes\"}}]", "rule 1: interruptible must be one of",
                "[{\"match\": {\"To\": 1}, \"set\": {\"voice\": \"a\"}}]", "rule 1: 'To' must be a non-empty string",
                "[{\"match\": {\"To\": \"+1\"}, \"set\": {\"languages\": \"es-MX;colour=red\"}}]", "rule 1: unknown <Language> attribute 'colour'",
                "[{\"when\": {\"To\": \"+1\"}, \"set\": {\"voice\": \"a\"}}]", "rule 1: unknown key 'when'");
        cases.forEach((rules, problem) -> assertThatThrownBy(() -> IngressConfig.fromEnv(env(Map.of(IngressConfig.TWIML_RULES, rules))))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith(IngressConfig.TWIML_RULES + ": ").hasMessageContaining(problem));
    }

    @Test
    void twimlRulesCanComeFromAFileButNotFromBothPlaces(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rules.json");
        Files.writeString(file, "[{\"match\": {\"CallerCountry\": \"MX\"}, \"set\": {\"language\": \"es-MX\"}}]");
        assertThat(IngressConfig.fromEnv(env(Map.of(IngressConfig.TWIML_RULES_FILE, file.toString()))).twimlRules().size()).isEqualTo(1);
        assertThatThrownBy(() -> IngressConfig.fromEnv(env(Map.of(IngressConfig.TWIML_RULES_FILE, dir.resolve("missing.json").toString()))))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining(IngressConfig.TWIML_RULES_FILE)
                .hasMessageContaining("missing.json");
        assertThatThrownBy(() -> IngressConfig.fromEnv(env(Map.of(IngressConfig.TWIML_RULES_FILE, file.toString(),
                IngressConfig.TWIML_RULES, "[]")))).isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("not both");
    }

    @Test
    void routePathsMustStartWithASlashAndDiffer() {
        assertThatThrownBy(() -> IngressConfig.fromEnv(env(Map.of("SWITCHBOARD_WEBHOOK_PATH", "hooks"))))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("SWITCHBOARD_WEBHOOK_PATH");
        assertThatThrownBy(() -> IngressConfig.fromEnv(env(Map.of("TWILIO_VOICE_TWIML_PATH", "/webhook"))))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("TWILIO_VOICE_TWIML_PATH")
                .hasMessageContaining("SWITCHBOARD_WEBHOOK_PATH");
    }

    @Test
    void tacTypescriptsIntelligenceConfigurationNameIsAnAlias() {
        assertThat(IngressConfig.fromEnv(env(Map.of("TWILIO_TAC_CI_CONFIGURATION_ID", "ci_1"))).intelligenceConfigurationId())
                .contains("ci_1");
        assertThat(IngressConfig.fromEnv(env(Map.of("TWILIO_TAC_CI_CONFIGURATION_ID", "ci_1",
                "CONVERSATION_INTELLIGENCE_CONFIGURATION_ID", "ci_2"))).intelligenceConfigurationId()).contains("ci_2");
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
