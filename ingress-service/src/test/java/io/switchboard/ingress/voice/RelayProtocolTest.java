package io.switchboard.ingress.voice;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.Reply;
import io.switchboard.events.inbound.Dtmf;
import io.switchboard.events.inbound.Prompt;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class RelayProtocolTest {
    @Test
    void setupDecodesToTheCallAndItsConversationParameter() {
        RelayProtocol.Inbound frame = RelayProtocol.decode("{\"type\":\"setup\",\"sessionId\":\"VX1\",\"callSid\":\"CA1\","
                + "\"from\":\"+15550001111\",\"to\":\"\",\"customParameters\":{\"conversationId\":\"conv_1\",\"n\":2}}");
        assertThat(frame).isInstanceOf(RelayProtocol.Setup.class);
        RelayProtocol.Setup setup = (RelayProtocol.Setup) frame;
        assertThat(setup.started().getCallSid().toString()).isEqualTo("CA1");
        assertThat(setup.started().getFrom().toString()).isEqualTo("+15550001111");
        assertThat(setup.started().getTo()).isNull();
        assertThat(setup.conversationIdParameter()).isEqualTo("conv_1");
        assertThat(setup.started().getCustomParameters().get("n").toString()).isEqualTo("2");
    }

    @Test
    void framesBecomeTheirEventsOrAClearRejection() {
        RelayProtocol.Inbound prompt = RelayProtocol.decode("{\"type\":\"prompt\",\"voicePrompt\":\"hi\",\"last\":false}");
        assertThat(((Prompt) ((RelayProtocol.Event) prompt).payload()).getLast()).isFalse();
        assertThat(((Dtmf) ((RelayProtocol.Event) RelayProtocol.decode("{\"type\":\"dtmf\",\"digit\":\"5\"}")).payload())
                .getDigit().toString()).isEqualTo("5");
        assertThat(RelayProtocol.decode("{not json")).isInstanceOf(RelayProtocol.Malformed.class);
        assertThat(RelayProtocol.decode("{\"a\":1}")).isEqualTo(new RelayProtocol.Rejected(null, "frame without type"));
        assertThat(RelayProtocol.decode("{\"type\":\"dtmf\"}")).isEqualTo(new RelayProtocol.Rejected("dtmf", "dtmf without digit"));
        assertThat(RelayProtocol.decode("{\"type\":\"setup\",\"sessionId\":\"VX1\"}")).isInstanceOf(RelayProtocol.Rejected.class);
        assertThat(((RelayProtocol.Rejected) RelayProtocol.decode("{\"type\":\"prompt\",\"voicePrompt\":3}")).reason())
                .isEqualTo("invalid prompt frame (voicePrompt must be a string)");
        assertThat(RelayProtocol.decode("{\"type\":\"mystery\"}")).isEqualTo(new RelayProtocol.Unknown("mystery"));
    }

    @Test
    void aReplyEncodesAsATextToken() {
        Reply reply = new Reply();
        reply.setText("Hello");
        reply.setLast(true);
        JsonObject text = new JsonObject(RelayProtocol.encode(reply));
        assertThat(text.getString("type")).isEqualTo("text");
        assertThat(text.getString("token")).isEqualTo("Hello");
        assertThat(text.getBoolean("last")).isTrue();
        assertThat(text.containsKey("lang")).isFalse();
    }
}
