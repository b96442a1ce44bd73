package io.switchboard.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A record header naming the payload type of an event ({@code Reply}, {@code Handoff}, ...), so a reader that
 * wants a few types skips the others without decoding them: the router reads tac.outbound.v1 for handoffs only,
 * and every streamed token used to be decoded there for nothing. Records without the header (older writers) are
 * decoded as before.
 */
public final class PayloadType {
    public static final String HEADER = "switchboard-payload";

    private PayloadType() {
    }

    /** Names {@code payload}'s type in the headers (replacing an earlier value). */
    public static void set(Headers headers, Object payload) {
        headers.remove(HEADER);
        if (payload != null) {
            headers.add(HEADER, payload.getClass().getSimpleName().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The type the header names, or null when the writer did not set it. */
    public static String of(Headers headers) {
        Header header = headers == null ? null : headers.lastHeader(HEADER);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /**
     * A serializer that names each record's payload type in its headers ({@code payloadOf} finds the payload), so
     * every record a producer writes carries the header without its senders doing anything.
     */
    public static <T> Serializer<T> tagging(Serializer<T> inner, Function<T, Object> payloadOf) {
        return new Serializer<>() {
            @Override
            public byte[] serialize(String topic, T data) {
                return inner.serialize(topic, data);
            }

            @Override
            public byte[] serialize(String topic, Headers headers, T data) {
                if (data != null) {
                    set(headers, payloadOf.apply(data));
                }
                return inner.serialize(topic, headers, data);
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }

    /**
     * A deserializer that decodes a record only when its header names one of {@code wanted} or is absent, and
     * returns null (a record to ignore) for the others.
     */
    public static <T> Deserializer<T> only(Deserializer<T> inner, Set<Class<?>> wanted) {
        Set<String> names = wanted.stream().map(Class::getSimpleName).collect(Collectors.toUnmodifiableSet());
        return new Deserializer<>() {
            @Override
            public T deserialize(String topic, byte[] data) {
                return inner.deserialize(topic, data);
            }

            @Override
            public T deserialize(String topic, Headers headers, byte[] data) {
                String type = of(headers);
                return type == null || names.contains(type) ? inner.deserialize(topic, headers, data) : null;
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }
}
