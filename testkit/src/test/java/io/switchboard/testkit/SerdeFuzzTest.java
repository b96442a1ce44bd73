package io.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.switchboard.events.SampleEvents;
import io.switchboard.serde.EventSerdes;
import io.switchboard.serde.Framing;
import io.switchboard.topics.Topic;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.BeforeAll;

/**
 * Both framings decoding any bytes as any topic's value: a record of the topic's type that survives
 * encode → decode unchanged, or a {@link SerializationException} (what a consumer turns into a dead letter); never
 * another exception, an OOM or a hang, within 5 s and {@link FuzzInputs#DEFAULT_ALLOCATION_LIMIT} per input.
 * <p>Input: byte 0 picks the topic, byte 1 whether the rest follows the topic's current header (the single-object
 * header, or magic 0 + the registry id the topic's schema got) or is the whole value; committed inputs are every
 * sample event's encoding ({@link SampleEvents}) plus truncations and bad headers.
 */
class SerdeFuzzTest {
    private static final Map<Topic, Serde<SpecificRecord>> EMBEDDED = new EnumMap<>(Topic.class);
    private static final Map<Topic, byte[]> EMBEDDED_HEADERS = new EnumMap<>(Topic.class);
    private static final Map<Topic, Serde<SpecificRecord>> REGISTRY = new EnumMap<>(Topic.class);
    private static final Map<Topic, byte[]> REGISTRY_HEADERS = new EnumMap<>(Topic.class);

    @BeforeAll
    static void serdes() {
        EventSerdes registry = new EventSerdes(Framing.REGISTRY, TestSchemaRegistry.url());
        for (Topic topic : Topic.values()) {
            SpecificRecord sample = SampleEvents.all().stream().filter(topic.valueType()::isInstance).findFirst().orElseThrow();
            EMBEDDED.put(topic, new EventSerdes(Framing.EMBEDDED, null).forTopic(topic));
            EMBEDDED_HEADERS.put(topic, Arrays.copyOf(EMBEDDED.get(topic).serializer().serialize(topic.topicName(), sample), 10));
            REGISTRY.put(topic, registry.forTopic(topic));
            // registers the topic's schema: its id is what the header of a real record carries
            REGISTRY_HEADERS.put(topic, Arrays.copyOf(REGISTRY.get(topic).serializer().serialize(topic.topicName(), sample), 5));
        }
    }

    @FuzzTest
    void embeddedFramingDecodesAnyBytes(byte[] input) {
        decode(EMBEDDED, EMBEDDED_HEADERS, input);
    }

    @FuzzTest
    void registryFramingDecodesAnyBytes(byte[] input) {
        decode(REGISTRY, REGISTRY_HEADERS, input);
    }

    private static void decode(Map<Topic, Serde<SpecificRecord>> serdes, Map<Topic, byte[]> headers, byte[] input) {
        if (input.length < 2) {
            return;
        }
        Topic topic = Topic.values()[(input[0] & 0xFF) % Topic.values().length];
        byte[] rest = Arrays.copyOfRange(input, 2, input.length);
        byte[] value = (input[1] & 1) == 0 ? rest : concat(headers.get(topic), rest);
        Serde<SpecificRecord> serde = serdes.get(topic);
        SpecificRecord decoded;
        try {
            decoded = FuzzInputs.bounded(() -> serde.deserializer().deserialize(topic.topicName(), value));
        } catch (SerializationException refused) {
            return;
        }
        assertThat(decoded).as("a value of " + topic.topicName()).isInstanceOf(topic.valueType());
        assertThat(serde.deserializer().deserialize(topic.topicName(), serde.serializer().serialize(topic.topicName(), decoded)))
                .isEqualTo(decoded);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
