package io.switchboard.ingress.voice;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.switchboard.events.EndSession;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.Play;
import io.switchboard.events.Reply;
import io.switchboard.events.SendDigits;
import io.switchboard.events.SetLanguage;
import io.switchboard.events.Source;
import io.switchboard.ingress.InboundEvents;
import io.switchboard.serde.EmbeddedAvroSerde;
import io.switchboard.testkit.FuzzInputs;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * ConversationRelay's frame codec on any input. {@link RelayProtocol#decode}: every text frame becomes a typed frame or
 * a rejection, never an exception; a frame it accepts becomes an event that survives tac.inbound.v1's
 * encode → decode unchanged. {@link RelayProtocol#encode}: every VoiceFrame, whatever its strings hold, is one JSON
 * object that reads back to the same values. Fragmented and binary frames need a socket: reliability's
 * {@code RelaySocketFuzzTest}.
 */
class RelayProtocolFuzzTest {
    private static final EmbeddedAvroSerde<InboundEvent> SERDE = new EmbeddedAvroSerde<>(InboundEvent.class);
    private static final List<String> EVENT_TYPES = List.of("prompt", "interrupt", "dtmf", "error", "info");

    @FuzzTest
    void anyTextFrame(byte[] frame) {
        String text = new String(frame, StandardCharsets.UTF_8);
        RelayProtocol.Inbound decoded = FuzzInputs.bounded(() -> RelayProtocol.decode(text));
        if (decoded instanceof RelayProtocol.Setup setup) {
            assertThat(setup.started().getSessionId().toString()).isNotBlank();
            assertThat(setup.started().getCallSid().toString()).isNotBlank();
            roundTrip(setup.started());
        } else if (decoded instanceof RelayProtocol.Event event) {
            assertThat(event.type()).isIn(EVENT_TYPES);
            roundTrip(event.payload());
        } else if (decoded instanceof RelayProtocol.Unknown unknown) {
            assertThat(unknown.type()).isNotIn(EVENT_TYPES).isNotEqualTo("setup");
        } else if (decoded instanceof RelayProtocol.Rejected rejected) {
            assertThat(rejected.reason()).isNotBlank();
        } else {
            assertThat(decoded).isInstanceOf(RelayProtocol.Malformed.class);
        }
    }

    /** Fields, one per line: reply text, lang, play source, digits, tts language, handoff data, then flag bytes. */
    @FuzzTest
    void anyVoiceFrameEncodesToWhatItSays(byte[] input) {
        List<String> f = FuzzInputs.fields(input, 7);
        int flags = f.get(6).isEmpty() ? 0 : f.get(6).charAt(0);
        Boolean interruptible = (flags & 1) == 0 ? null : (flags & 2) != 0;
        Reply reply = Reply.newBuilder().setReplyId("r").setText(f.get(0)).setLast((flags & 4) != 0)
                .setInterruptible(interruptible).setLang(f.get(1).isEmpty() ? null : f.get(1)).build();
        JsonObject text = read(reply);
        assertThat(text.getString("type")).isEqualTo("text");
        assertThat(text.getString("token")).isEqualTo(f.get(0));
        assertThat(text.getBoolean("last")).isEqualTo((flags & 4) != 0);
        assertThat(text.getBoolean("interruptible")).isEqualTo(interruptible);
        assertThat(text.getString("lang")).isEqualTo(reply.getLang() == null ? null : f.get(1));

        Integer loop = (flags & 8) == 0 ? null : flags >> 4;
        JsonObject play = read(Play.newBuilder().setSource(f.get(2)).setLoop(loop).build());
        assertThat(play.getString("source")).isEqualTo(f.get(2));
        assertThat(play.getInteger("loop")).isEqualTo(loop);
        assertThat(read(SendDigits.newBuilder().setDigits(f.get(3)).build()).getString("digits")).isEqualTo(f.get(3));
        assertThat(read(SetLanguage.newBuilder().setTtsLanguage(f.get(4)).build()).getString("ttsLanguage"))
                .isEqualTo(f.get(4));
        assertThat(read(EndSession.newBuilder().setHandoffData(f.get(5)).build()).getString("handoffData"))
                .isEqualTo(f.get(5));
    }

    private static JsonObject read(Object frame) {
        return new JsonObject(RelayProtocol.encode(frame));
    }

    private static void roundTrip(Object payload) {
        InboundEvent event = InboundEvents.of("fuzz", "CAfuzz", Source.RELAY, payload);
        assertThat(SERDE.deserialize("fuzz", SERDE.serialize("fuzz", event))).isEqualTo(event);
    }
}
