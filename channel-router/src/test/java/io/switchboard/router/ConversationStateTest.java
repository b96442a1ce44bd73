package io.switchboard.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.Channel;
import io.switchboard.events.ConversationStatus;
import io.switchboard.events.Memory;
import io.switchboard.events.Observation;
import io.switchboard.events.Session;
import io.switchboard.events.Source;
import io.switchboard.serde.EventModel;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/** The session store's values: the cached memory survives the changelog, and state written before it stays readable. */
class ConversationStateTest {
    private static final Session SESSION = Session.newBuilder().setConversationId("conv_1").setChannel(Channel.SMS)
            .setSource(Source.ORCHESTRATOR).setStartedAt(Instant.parse("2026-11-24T10:00:00Z")).setProfileId("mem_profile_1")
            .setFrom("+15559876543").setTo("+15551234567").build();

    @Test
    void cachedMemoryRoundTripsThroughTheStoreSerde() {
        ConversationState state = new ConversationState(SESSION, 42L);
        state.memory = Memory.newBuilder().setObservations(List.of(Observation.newBuilder().setId("obs_1")
                .setContent("prefers e-mail").build())).build();
        ConversationState.StoreSerde serde = new ConversationState.StoreSerde();

        ConversationState back = serde.deserialize("sessions-changelog", serde.serialize("sessions-changelog", state));
        assertThat(back.memory).isEqualTo(state.memory);
        assertThat(back.session).isEqualTo(SESSION);
    }

    @Test
    void stateWrittenWithTheFirstSchemaDecodesWithoutMemory() throws Exception {
        GenericRecord v1 = new GenericData.Record(ConversationState.SCHEMA_V1);
        v1.put("session", SESSION);
        v1.put("status", ConversationStatus.INACTIVE.name());
        v1.put("lastActivityMillis", 42L);
        v1.put("orchestrated", false);
        v1.put("callLive", false);
        v1.put("partialPrompt", "I want");
        ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(EventModel.get(), ConversationState.SCHEMA_V1).encode(v1);
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);

        ConversationState state = new ConversationState.StoreSerde().deserialize("sessions-changelog", bytes);
        assertThat(state.session).isEqualTo(SESSION);
        assertThat(state.status).isEqualTo(ConversationStatus.INACTIVE);
        assertThat(state.lastActivityMillis).isEqualTo(42L);
        assertThat(state.partialPrompt).isEqualTo("I want");
        assertThat(state.memory).isNull();
    }
}
