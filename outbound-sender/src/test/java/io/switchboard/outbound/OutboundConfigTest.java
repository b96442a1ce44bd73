package io.switchboard.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.config.ConfigDocs;
import io.switchboard.config.InvalidConfigurationException;
import io.switchboard.config.KafkaSettings;
import io.switchboard.events.Channel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutboundConfigTest {
    private static final Map<String, String> KAFKA = Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092");

    @Test
    void missingCredentialsFailNamingTheVariable() {
        assertThatThrownBy(() -> OutboundConfig.fromEnv(KAFKA))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("TWILIO_ACCOUNT_SID");
    }

    @Test
    void senderAddressesGetTheirChannelPrefix() {
        OutboundConfig config = OutboundConfig.fromEnv(Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092",
                "TWILIO_API_BASE_URL", "http://127.0.0.1:1", "TWILIO_PHONE_NUMBER", "+15550001111",
                "TWILIO_WHATSAPP_NUMBER", "+15550002222"));
        assertThat(config.senderAddress(Channel.SMS)).isEqualTo("+15550001111");
        assertThat(config.senderAddress(Channel.WHATSAPP)).isEqualTo("whatsapp:+15550002222");
        assertThat(config.senderAddress(Channel.RCS)).isNull();
    }

    @Test
    void anAgentPlacedCallFetchesItsTwimlAtIngresssConfiguredPath() {
        Map<String, String> env = Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092",
                "TWILIO_API_BASE_URL", "http://127.0.0.1:1", "TWILIO_VOICE_PUBLIC_DOMAIN", "voice.example.com");
        assertThat(OutboundConfig.fromEnv(env).voiceTwimlUrl()).isEqualTo("https://voice.example.com/twiml");
        Map<String, String> custom = new HashMap<>(env);
        custom.put("TWILIO_VOICE_TWIML_PATH", "/voice/incoming");
        assertThat(OutboundConfig.fromEnv(custom).voiceTwimlUrl()).isEqualTo("https://voice.example.com/voice/incoming");
    }

    @Test
    void readmeConfigurationTableIsGeneratedFromTheDeclarations() throws Exception {
        String table = ConfigDocs.markdownTable(OutboundConfig.DEFINITION, ConfigDocs.names(KafkaSettings.DEFINITION));
        assertThat(Files.readString(Path.of("README.md"))).as("outbound-sender/README.md; expected table:%n%s", table)
                .contains(table);
    }
}
