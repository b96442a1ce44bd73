package io.switchboard.router;

import io.switchboard.events.AgentEvent;
import io.switchboard.events.InboundEvent;
import io.switchboard.serde.EventModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A message-ready held while its memory is fetched (value of the changelogged {@link RouterTopology#HELD_STORE}),
 * with the inbound events of its conversation that arrived meanwhile, queued in order behind it.
 */
final class HeldMessage {
    /**
     * Avro single-object encoding, like {@link ConversationState#SCHEMA}: evolve with new fields with defaults. It embeds
     * the {@code AgentEvent} and {@code InboundEvent} schemas, so when one of those changes, this schema's fingerprint
     * changes too: keep the previous version and add it to {@link StoreSerde}'s decoder, or entries held by the older
     * router at the upgrade cannot be read. Of the inbound record's headers only the trace context is kept
     * ({@code traceParent}, W3C; null when tracing is off), so a turn's trace goes on after the hold, and after a
     * restart.
     */
    static final Schema SCHEMA = SchemaBuilder.record("HeldMessage").namespace("io.switchboard.router.store")
            .doc("channel-router: a message-ready waiting for its memory, and what queued behind it")
            .fields()
            .name("event").type(AgentEvent.getClassSchema()).noDefault()
            .name("timestampMillis").type().longType().noDefault()
            .name("once").doc("memory_mode once: an empty query, and the result is cached in the session")
                .type().booleanType().booleanDefault(false)
            .name("queued").type().array().items(SchemaBuilder.record("QueuedInbound").namespace("io.switchboard.router.store")
                    .fields()
                    .name("event").type(InboundEvent.getClassSchema()).noDefault()
                    .name("timestampMillis").type().longType().noDefault()
                    .name("traceParent").doc("W3C traceparent of the event's router span; null without tracing")
                        .type().unionOf().nullType().and().stringType().endUnion().nullDefault()
                    .endRecord()).arrayDefault(List.of())
            .name("traceParent").doc("W3C traceparent of the router span that held the message; null without tracing")
                .type().unionOf().nullType().and().stringType().endUnion().nullDefault()
            .endRecord();

    /** The schema before trace contexts were kept (issue 22): entries held by an older router still decode. */
    static final Schema SCHEMA_V1 = SchemaBuilder.record("HeldMessage").namespace("io.switchboard.router.store")
            .doc("channel-router: a message-ready waiting for its memory, and what queued behind it")
            .fields()
            .name("event").type(AgentEvent.getClassSchema()).noDefault()
            .name("timestampMillis").type().longType().noDefault()
            .name("once").doc("memory_mode once: an empty query, and the result is cached in the session")
                .type().booleanType().booleanDefault(false)
            .name("queued").type().array().items(SchemaBuilder.record("QueuedInbound").namespace("io.switchboard.router.store")
                    .fields()
                    .name("event").type(InboundEvent.getClassSchema()).noDefault()
                    .name("timestampMillis").type().longType().noDefault()
                    .endRecord()).arrayDefault(List.of())
            .endRecord();
    private static final Schema QUEUED = SCHEMA.getField("queued").schema().getElementType();

    /** The agent event (a {@code MessageReady} without memory yet). */
    final AgentEvent event;
    /** Timestamp of the inbound record it came from; the released event keeps it. */
    final long timestampMillis;
    final boolean once;
    final List<Queued> queued;
    /** The trace context to continue when the message is released; null without tracing. */
    final String traceParent;

    HeldMessage(AgentEvent event, long timestampMillis, boolean once, List<Queued> queued, String traceParent) {
        this.traceParent = traceParent;
        this.event = event;
        this.timestampMillis = timestampMillis;
        this.once = once;
        this.queued = new ArrayList<>(queued);
    }

    /** An inbound event of the same conversation that came while the message was held. */
    record Queued(InboundEvent event, long timestampMillis, String traceParent) {
    }

    private GenericRecord toAvro() {
        GenericData.Record record = new GenericData.Record(SCHEMA);
        record.put("event", event);
        record.put("timestampMillis", timestampMillis);
        record.put("once", once);
        record.put("traceParent", traceParent);
        List<GenericRecord> items = new ArrayList<>(queued.size());
        for (Queued q : queued) {
            GenericData.Record item = new GenericData.Record(QUEUED);
            item.put("event", q.event());
            item.put("timestampMillis", q.timestampMillis());
            item.put("traceParent", q.traceParent());
            items.add(item);
        }
        record.put("queued", items);
        return record;
    }

    private static HeldMessage fromAvro(GenericRecord record) {
        List<Queued> queued = new ArrayList<>();
        for (Object item : (List<?>) record.get("queued")) {
            GenericRecord q = (GenericRecord) item;
            queued.add(new Queued((InboundEvent) q.get("event"), (Long) q.get("timestampMillis"), string(q, "traceParent")));
        }
        return new HeldMessage((AgentEvent) record.get("event"), (Long) record.get("timestampMillis"),
                (Boolean) record.get("once"), queued, string(record, "traceParent"));
    }

    /** A nullable string field; absent (null) in records written with {@link #SCHEMA_V1}. */
    private static String string(GenericRecord record, String field) {
        Object value = record.hasField(field) ? record.get(field) : null;
        return value == null ? null : value.toString();
    }

    /** Store serde: Avro single-object encoding of {@link #SCHEMA}, independent of the topics' framing. */
    static final class StoreSerde implements Serde<HeldMessage>, Serializer<HeldMessage>, Deserializer<HeldMessage> {
        private final BinaryMessageEncoder<GenericRecord> encoder = new BinaryMessageEncoder<>(EventModel.get(), SCHEMA);
        private final BinaryMessageDecoder<GenericRecord> decoder = new BinaryMessageDecoder<>(EventModel.get(), SCHEMA);

        StoreSerde() {
            decoder.addSchema(SCHEMA_V1);
        }

        @Override
        public byte[] serialize(String topic, HeldMessage held) {
            if (held == null) {
                return null;
            }
            try {
                ByteBuffer buffer = encoder.encode(held.toAvro());
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                return bytes;
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("Cannot encode the held message of " + held.event.getConversationId()
                        + ": " + e, e);
            }
        }

        @Override
        public HeldMessage deserialize(String topic, byte[] data) {
            if (data == null) {
                return null;
            }
            try {
                return fromAvro(decoder.decode(data));
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("Cannot decode a held message from " + topic + ": " + e, e);
            }
        }

        @Override
        public void configure(Map<String, ?> configs, boolean isKey) {
            // nothing to configure
        }

        @Override
        public void close() {
            // nothing held
        }

        @Override
        public Serializer<HeldMessage> serializer() {
            return this;
        }

        @Override
        public Deserializer<HeldMessage> deserializer() {
            return this;
        }
    }
}
