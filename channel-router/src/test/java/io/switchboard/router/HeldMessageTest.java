package io.switchboard.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.AgentEvent;
import io.switchboard.events.Channel;
import io.switchboard.events.Session;
import io.switchboard.events.Source;
import io.switchboard.events.agent.MessageReady;
import io.switchboard.serde.EventModel;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/** The held store's values: the trace context survives the changelog, and entries held by an older router still decode. */
class HeldMessageTest {
    private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private static final Session SESSION = Session.newBuilder().setConversationId("conv_1").setChannel(Channel.SMS)
            .setSource(Source.ORCHESTRATOR).setStartedAt(Instant.parse("2026-11-24T10:00:00Z")).setProfileId("mem_profile_1")
            .build();
    private static final AgentEvent EVENT = AgentEvent.newBuilder().setEventId("evt_1").setConversationId("conv_1")
            .setOccurredAt(Instant.parse("2026-11-24T10:00:01Z")).setTraceId("t1").setSession(SESSION)
            .setPayload(MessageReady.newBuilder().setMessageId("msg_1").setText("hello").build()).build();

    @Test
    void traceContextRoundTripsThroughTheStoreSerde() {
        HeldMessage.StoreSerde serde = new HeldMessage.StoreSerde();
        HeldMessage held = new HeldMessage(EVENT, 42L, false, List.of(), TRACEPARENT);

        HeldMessage back = serde.deserialize("memory-held-changelog", serde.serialize("memory-held-changelog", held));
        assertThat(back.traceParent).isEqualTo(TRACEPARENT);
        assertThat(back.event).isEqualTo(EVENT);
    }

    @Test
    void entriesHeldBeforeTraceContextsWereKeptDecodeWithoutOne() throws Exception {
        GenericRecord v1 = new GenericData.Record(HeldMessage.SCHEMA_V1);
        v1.put("event", EVENT);
        v1.put("timestampMillis", 42L);
        v1.put("once", true);
        v1.put("queued", List.of());
        ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(EventModel.get(), HeldMessage.SCHEMA_V1).encode(v1);
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);

        HeldMessage held = new HeldMessage.StoreSerde().deserialize("memory-held-changelog", bytes);
        assertThat(held.event).isEqualTo(EVENT);
        assertThat(held.once).isTrue();
        assertThat(held.traceParent).isNull();
    }
}
