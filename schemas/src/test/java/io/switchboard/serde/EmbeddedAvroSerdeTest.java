package io.switchboard.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.events.InboundEvent;
import io.switchboard.events.SampleEvents;
import java.util.Arrays;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class EmbeddedAvroSerdeTest {

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void everySampleEventRoundTrips() {
        for (SpecificRecord event : SampleEvents.all()) {
            EmbeddedAvroSerde serde = new EmbeddedAvroSerde(event.getClass());
            byte[] bytes = serde.serialize("t", event);
            assertThat(serde.deserialize("t", bytes)).as(SampleEvents.nameOf(event)).isEqualTo(event);
        }
    }

    @Test
    void framingIsAvroSingleObjectEncoding() {
        InboundEvent event = (InboundEvent) SampleEvents.all().get(0);
        byte[] bytes = new EmbeddedAvroSerde<>(InboundEvent.class).serialize("t", event);
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        long fingerprint = SchemaNormalization.parsingFingerprint64(InboundEvent.getClassSchema());
        long written = 0;
        for (int i = 9; i >= 2; i--) { // little-endian
            written = (written << 8) | (bytes[i] & 0xFF);
        }
        assertThat(written).isEqualTo(fingerprint);
    }

    @Test
    void garbageIsASerializationErrorNamingTheTopic() {
        EmbeddedAvroSerde<InboundEvent> serde = new EmbeddedAvroSerde<>(InboundEvent.class);
        assertThatThrownBy(() -> serde.deserialize("tac.inbound.v1", "not avro".getBytes()))
                .isInstanceOf(SerializationException.class).hasMessageContaining("tac.inbound.v1");
        byte[] unknownSchema = serde.serialize("t", (InboundEvent) SampleEvents.all().get(0));
        Arrays.fill(unknownSchema, 2, 10, (byte) 7);
        assertThatThrownBy(() -> serde.deserialize("tac.inbound.v1", unknownSchema))
                .isInstanceOf(SerializationException.class);
    }
}
