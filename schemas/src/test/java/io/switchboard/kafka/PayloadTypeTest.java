package io.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.events.Handoff;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.SampleEvents;
import io.switchboard.serde.EmbeddedAvroSerde;
import java.util.Set;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

class PayloadTypeTest {
    private final EmbeddedAvroSerde<OutboundEvent> serde = new EmbeddedAvroSerde<>(OutboundEvent.class);
    private final Deserializer<OutboundEvent> handoffsOnly = PayloadType.only(serde, Set.of(Handoff.class));
    private final byte[] garbage = {1, 2, 3};

    private static OutboundEvent withPayload(Class<?> type) {
        return SampleEvents.all().stream().filter(e -> e instanceof OutboundEvent o && type.isInstance(o.getPayload()))
                .map(OutboundEvent.class::cast).findFirst().orElseThrow();
    }

    private static RecordHeaders headersFor(Object payload) {
        RecordHeaders headers = new RecordHeaders();
        PayloadType.set(headers, payload);
        return headers;
    }

    @Test
    void theHeaderNamesThePayloadType() {
        RecordHeaders headers = headersFor(withPayload(Reply.class).getPayload());
        assertThat(PayloadType.of(headers)).isEqualTo("Reply");
        PayloadType.set(headers, withPayload(Handoff.class).getPayload());
        assertThat(PayloadType.of(headers)).isEqualTo("Handoff");
        assertThat(headers.headers(PayloadType.HEADER)).hasSize(1);
        assertThat(PayloadType.of(new RecordHeaders())).isNull();
    }

    @Test
    void aTaggingSerializerNamesEachRecordsPayloadAndWritesTheSameBytes() {
        Serializer<OutboundEvent> tagging = PayloadType.tagging(serde, OutboundEvent::getPayload);
        OutboundEvent reply = withPayload(Reply.class);
        RecordHeaders headers = new RecordHeaders();
        assertThat(tagging.serialize("tac.outbound.v1", headers, reply)).isEqualTo(serde.serialize("tac.outbound.v1", reply));
        assertThat(PayloadType.of(headers)).isEqualTo("Reply");
    }

    @Test
    void otherTypesAreSkippedWithoutDecoding() {
        // undecodable bytes prove nothing was decoded
        assertThat(handoffsOnly.deserialize("tac.outbound.v1", headersFor(withPayload(Reply.class).getPayload()), garbage))
                .isNull();
    }

    @Test
    void wantedTypesAndRecordsWithoutTheHeaderAreDecoded() {
        OutboundEvent handoff = withPayload(Handoff.class);
        assertThat(handoffsOnly.deserialize("tac.outbound.v1", headersFor(handoff.getPayload()),
                serde.serialize("tac.outbound.v1", handoff))).isEqualTo(handoff);
        OutboundEvent reply = withPayload(Reply.class);
        assertThat(handoffsOnly.deserialize("tac.outbound.v1", new RecordHeaders(), serde.serialize("tac.outbound.v1", reply)))
                .isEqualTo(reply);
        assertThatThrownBy(() -> handoffsOnly.deserialize("tac.outbound.v1", headersFor(handoff.getPayload()), garbage))
                .isInstanceOf(SerializationException.class);
    }
}
