package io.switchboard.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.StatusCode;

/**
 * OpenTelemetry's messaging semantic conventions for Kafka, and Switchboard's own conversation attributes. Spans
 * carry ids, channels, turns, topics and statuses only: never a phone number, an address or message text.
 */
public final class Messaging {
    public static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    public static final AttributeKey<String> OPERATION = AttributeKey.stringKey("messaging.operation.type");
    public static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    public static final AttributeKey<String> PARTITION = AttributeKey.stringKey("messaging.destination.partition.id");
    public static final AttributeKey<Long> OFFSET = AttributeKey.longKey("messaging.kafka.offset");
    public static final AttributeKey<String> GROUP = AttributeKey.stringKey("messaging.consumer.group.name");
    public static final AttributeKey<String> MESSAGE_KEY = AttributeKey.stringKey("messaging.kafka.message.key");

    /** The conversation a span belongs to (Switchboard's record key). */
    public static final AttributeKey<String> CONVERSATION_ID = AttributeKey.stringKey("conversation.id");
    /** The channel of the turn: VOICE, SMS, WHATSAPP, RCS, CHAT. */
    public static final AttributeKey<String> CHANNEL = AttributeKey.stringKey("conversation.channel");
    /** A voice turn's number (the prompt's frame sequence on its socket). */
    public static final AttributeKey<Long> TURN = AttributeKey.longKey("conversation.turn");
    /** The Switchboard event type a span handled (MessageReceived, Prompt, Reply...). */
    public static final AttributeKey<String> EVENT_TYPE = AttributeKey.stringKey("switchboard.event.type");

    private Messaging() {
    }

    static SpanBuilder attributes(SpanBuilder builder, String topic, String operation, String conversationId) {
        builder.setAttribute(SYSTEM, "kafka");
        builder.setAttribute(OPERATION, operation);
        builder.setAttribute(DESTINATION, topic);
        if (conversationId != null) {
            builder.setAttribute(CONVERSATION_ID, conversationId);
            builder.setAttribute(MESSAGE_KEY, conversationId);
        }
        return builder;
    }

    /** Ends a {@code send} span once Kafka answered: its partition and offset, or the error. */
    public static void acknowledged(Span span, int partition, long offset, Exception error) {
        if (!span.isRecording()) {
            return;
        }
        if (error == null) {
            span.setAttribute(PARTITION, Integer.toString(partition));
            span.setAttribute(OFFSET, offset);
        } else {
            failed(span, error);
        }
        span.end();
    }

    /** Marks a span failed with {@code error} (recorded as an exception event with its type and message). */
    public static void failed(Span span, Throwable error) {
        span.recordException(error);
        span.setStatus(StatusCode.ERROR, error.getClass().getSimpleName());
    }
}
