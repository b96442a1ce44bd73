package io.switchboard.router;

import io.switchboard.events.Channel;
import io.switchboard.events.ConversationStatus;
import io.switchboard.events.Memory;
import io.switchboard.events.Session;
import io.switchboard.events.agent.EndReason;
import io.switchboard.serde.EventModel;
import java.io.IOException;
import java.nio.ByteBuffer;
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
 * What the router keeps per conversation: the {@link Session} it attaches to agent events plus its own bookkeeping.
 * After the conversation ends the entry stays for a while as a tombstone ({@link #ended()}), so a second end signal
 * (socket close and action callback) or a late frame is recognised, and is then removed.
 */
final class ConversationState {
    /**
     * The store's value schema (Avro single-object encoding). Evolve it like the event schemas: new fields with
     * defaults; when it changes, keep the old schema and add it to {@link Serde}'s decoder so changelogs written
     * by an older router stay readable. {@link #SCHEMA_V1} is the first one (before {@code memory}).
     */
    static final Schema SCHEMA_V1 = v1Fields().endRecord();

    /** The current schema: {@link #SCHEMA_V1} plus {@code memory}. */
    static final Schema SCHEMA = v1Fields()
            .name("memory").doc("memory_mode once: the memory fetched at the first message, until INACTIVE")
                .type(Schema.createUnion(Schema.create(Schema.Type.NULL), Memory.getClassSchema())).withDefault(null)
            .endRecord();

    /** The fields of the first schema, which every later one starts with. */
    private static SchemaBuilder.FieldAssembler<Schema> v1Fields() {
        return SchemaBuilder.record("ConversationState").namespace("io.switchboard.router.store")
                .doc("channel-router state per conversation (changelogged store value)")
                .fields()
                .name("session").type(Session.getClassSchema()).noDefault()
                .name("status").type().stringType().stringDefault(ConversationStatus.ACTIVE.name())
                .name("lastActivityMillis").type().longType().noDefault()
                .name("orchestrated").type().booleanType().booleanDefault(false)
                .name("callLive").type().booleanType().booleanDefault(false)
                .name("partialPrompt").type().optional().stringType()
                .name("partialLang").type().optional().stringType()
                .name("callClosedAtMillis").type().optional().longType()
                .name("endedAtMillis").type().optional().longType()
                .name("endReason").type().optional().stringType();
    }

    Session session;
    ConversationStatus status = ConversationStatus.ACTIVE;
    long lastActivityMillis;
    /** Voice: a Conversation Orchestrator conversation (ends on CLOSED, not when the call ends). */
    boolean orchestrated;
    /** Voice: a relay socket is open (between setup and its close or the action callback). */
    boolean callLive;
    /** Voice: the latest partial prompt (`last: false`) of the utterance in progress. */
    String partialPrompt;
    String partialLang;
    /** Relay-only voice: the socket closed at this time and the action callback is awaited. */
    Long callClosedAtMillis;
    Long endedAtMillis;
    EndReason endReason;
    /** memory_mode {@code once}: the memory fetched for this session, null until fetched and after INACTIVE. */
    Memory memory;

    ConversationState(Session session, long now) {
        this.session = session;
        this.lastActivityMillis = now;
    }

    String conversationId() {
        return session.getConversationId();
    }

    boolean ended() {
        return endedAtMillis != null;
    }

    boolean isVoice() {
        return session.getCallSid() != null;
    }

    /** The session as attached to an event of {@code channel} (a conversation may span voice and messaging). */
    Session sessionFor(Channel channel) {
        return session.getChannel() == channel ? session : Session.newBuilder(session).setChannel(channel).build();
    }

    void markEnded(EndReason reason, long now) {
        endedAtMillis = now;
        endReason = reason;
        callClosedAtMillis = null;
        partialPrompt = null;
        partialLang = null;
        memory = null;
    }

    private GenericRecord toAvro() {
        GenericData.Record record = new GenericData.Record(SCHEMA);
        record.put("session", session);
        record.put("status", status.name());
        record.put("lastActivityMillis", lastActivityMillis);
        record.put("orchestrated", orchestrated);
        record.put("callLive", callLive);
        record.put("partialPrompt", partialPrompt);
        record.put("partialLang", partialLang);
        record.put("callClosedAtMillis", callClosedAtMillis);
        record.put("endedAtMillis", endedAtMillis);
        record.put("endReason", endReason == null ? null : endReason.name());
        record.put("memory", memory);
        return record;
    }

    private static ConversationState fromAvro(GenericRecord record) {
        ConversationState state = new ConversationState((Session) record.get("session"), (Long) record.get("lastActivityMillis"));
        state.status = enumOf(ConversationStatus.class, record.get("status"), ConversationStatus.UNKNOWN);
        state.orchestrated = (Boolean) record.get("orchestrated");
        state.callLive = (Boolean) record.get("callLive");
        state.partialPrompt = string(record.get("partialPrompt"));
        state.partialLang = string(record.get("partialLang"));
        state.callClosedAtMillis = (Long) record.get("callClosedAtMillis");
        state.endedAtMillis = (Long) record.get("endedAtMillis");
        Object reason = record.get("endReason");
        state.endReason = reason == null ? null : enumOf(EndReason.class, reason, EndReason.UNKNOWN);
        state.memory = (Memory) record.get("memory");
        return state;
    }

    private static String string(Object value) {
        return value == null ? null : value.toString();
    }

    private static <E extends Enum<E>> E enumOf(Class<E> type, Object value, E fallback) {
        try {
            return Enum.valueOf(type, value.toString());
        } catch (IllegalArgumentException e) {
            return fallback;
        }
    }

    /** Custom parameter keys TAC passes on the relay `setup`. */
    static String parameter(Map<String, String> parameters, String name) {
        String value = parameters == null ? null : parameters.get(name);
        return value == null || value.isBlank() ? null : value;
    }

    /** Store serde: Avro single-object encoding of {@link #SCHEMA}, independent of the topics' framing. */
    static final class StoreSerde implements Serde<ConversationState>, Serializer<ConversationState>,
            Deserializer<ConversationState> {
        private final BinaryMessageEncoder<GenericRecord> encoder = new BinaryMessageEncoder<>(EventModel.get(), SCHEMA);
        private final BinaryMessageDecoder<GenericRecord> decoder = new BinaryMessageDecoder<>(EventModel.get(), SCHEMA);

        StoreSerde() {
            decoder.addSchema(SCHEMA_V1);
        }

        @Override
        public byte[] serialize(String topic, ConversationState state) {
            if (state == null) {
                return null;
            }
            try {
                ByteBuffer buffer = encoder.encode(state.toAvro());
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                return bytes;
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("Cannot encode the state of " + state.conversationId() + ": " + e, e);
            }
        }

        @Override
        public ConversationState deserialize(String topic, byte[] data) {
            if (data == null) {
                return null;
            }
            try {
                return fromAvro(decoder.decode(data));
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("Cannot decode a conversation state from " + topic + ": " + e, e);
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
        public Serializer<ConversationState> serializer() {
            return this;
        }

        @Override
        public Deserializer<ConversationState> deserializer() {
            return this;
        }
    }
}
