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

    private static String twiml(IngressConfig config) {
        return new TwimlHandler(config, new SignatureCheck("t", null))
                .twiml("voice.example.com", Map.of("CallSid", "CA1", "From", "+15559876543"), Map.of());
    }

    @Test
    void orchestratedModePassesTheConfigurationAndSetsTheRelayCallbackAsActionWithoutAFlow() {
        IngressConfig config = config(Map.of("TWILIO_CONVERSATION_CONFIGURATION_ID", "conv_configuration_1",
                "TWILIO_VOICE_INTERRUPTIBLE", "false", "TWILIO_VOICE_PARTIAL_PROMPTS", "true"));
        assertThat(twiml(config)).contains("<Connect action=\"https://voice.example.com/conversation-relay-callback\">")
                .contains("conversationConfiguration=\"conv_configuration_1\"")
                .contains("interruptible=\"none\"").contains("partialPrompts=\"true\"")
                .contains("url=\"wss://voice.example.com/ws\"");
    }

    @Test
    void relayOnlyModeWithoutAFlowSetsTheRelayCallbackAtItsConfiguredPath() {
        assertThat(twiml(config(Map.of("TWILIO_VOICE_ACTION_PATH", "/relay-done"))))
                .contains("<Connect action=\"https://voice.example.com/relay-done\">");
    }

    @Test
    void aStudioHandoffFlowIsTheActionInBothModes() {
        String studio = "<Connect action=\"https://webhooks.twilio.com/v1/Accounts/AC1/Flows/FW1?Trigger=incomingCall\">";
        assertThat(twiml(config(Map.of("TWILIO_STUDIO_HANDOFF_FLOW_SID", "FW1")))).contains(studio)
                .doesNotContain("conversation-relay-callback");
        assertThat(twiml(config(Map.of("TWILIO_STUDIO_HANDOFF_FLOW_SID", "FW1",
                "TWILIO_CONVERSATION_CONFIGURATION_ID", "conv_configuration_1")))).contains(studio)
                .doesNotContain("conversation-relay-callback");
    }
}
