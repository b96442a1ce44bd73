package io.switchboard.deadletter;

import io.switchboard.events.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The one way every service describes a record it could not process: where it came from (topic, partition, offset),
 * its original key and value bytes as read, and the error — so an operator can inspect it and replay it as it was.
 */
public final class DeadLetters {
    private DeadLetters() {
    }

    /** Where the record was read and what it held; {@code key} and {@code value} may be null. */
    public record Origin(String topic, int partition, long offset, byte[] key, byte[] value) {
        /** A record with a String key, the way the services' consumers read it. */
        public static Origin of(String topic, int partition, long offset, String key, byte[] value) {
            return new Origin(topic, partition, offset, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
        }
    }

    public static DeadLetter of(String eventId, String service, Origin origin, String conversationId,
            String errorClass, String errorMessage) {
        return DeadLetter.newBuilder()
                .setEventId(eventId)
                .setOccurredAt(Instant.now())
                .setService(service)
                .setOriginTopic(origin.topic())
                .setOriginPartition(origin.partition())
                .setOriginOffset(origin.offset())
                .setConversationId(conversationId)
                .setOriginalKey(origin.key() == null ? null : ByteBuffer.wrap(origin.key()))
                .setOriginalValue(origin.value() == null ? null : ByteBuffer.wrap(origin.value()))
                .setErrorClass(errorClass)
                .setErrorMessage(errorMessage)
                .build();
    }

    /** {@link #of} with the error's class and message. */
    public static DeadLetter of(String eventId, String service, Origin origin, String conversationId, Throwable error) {
        return of(eventId, service, origin, conversationId, error.getClass().getName(), String.valueOf(error.getMessage()));
    }
}
