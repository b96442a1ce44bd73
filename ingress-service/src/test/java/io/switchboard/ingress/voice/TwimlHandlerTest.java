package io.switchboard.ingress.voice;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.ingress.IngressConfig;
import io.switchboard.ingress.http.SignatureCheck;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TwimlHandlerTest {
    private static IngressConfig config(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092",
                "TWILIO_ACCOUNT_SID", "AC1", "TWILIO_AUTH_TOKEN", "t"));
        env.putAll(extra);
        return IngressConfig.fromEnv(env);
    }

    @Test
    void orchestratedModeLeavesActionUnsetAndPassesTheConfiguration() {
        IngressConfig config = config(Map.of("TWILIO_CONVERSATION_CONFIGURATION_ID", "conv_configuration_1",
                "TWILIO_VOICE_INTERRUPTIBLE", "false", "TWILIO_VOICE_PARTIAL_PROMPTS", "true"));
        String xml = new TwimlHandler(config, new SignatureCheck("t", null))
                .twiml("voice.example.com", Map.of("CallSid", "CA1", "From", "+15559876543"), Map.of());
        assertThat(xml).contains("<Connect>").doesNotContain("action=")
                .contains("conversationConfiguration=\"conv_configuration_1\"")
                .contains("interruptible=\"none\"").contains("partialPrompts=\"true\"")
                .contains("url=\"wss://voice.example.com/ws\"");
    }
}
