package io.switchboard.serde;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.apicurio.registry.serde.avro.AvroSerdeConfig;
import io.apicurio.registry.serde.config.SerdeConfig;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The {@link Framing#REGISTRY} framing through Apicurio's serdes: Confluent wire framing (magic byte 0, 4-byte id),
 * schemas registered on first use under the topic's value subject, decoded into the generated classes.
 */
public final class RegistryAvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {
    private final AvroKafkaSerializer<T> serializer = new AvroKafkaSerializer<>();
    private final AvroKafkaDeserializer<T> deserializer = new AvroKafkaDeserializer<>();

    public RegistryAvroSerde(Class<T> type, String registryUrl) {
        Map<String, Object> config = Map.of(
                SerdeConfig.REGISTRY_URL, registryUrl,
                SerdeConfig.AUTO_REGISTER_ARTIFACT, true,
                SerdeConfig.ID_HANDLER, io.apicurio.registry.serde.Default4ByteIdHandler.class.getName(),
                AvroSerdeConfig.USE_SPECIFIC_AVRO_READER, true);
        serializer.configure(config, false);
        deserializer.configure(config, false);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        return serializer.serialize(topic, data);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        return deserializer.deserialize(topic, data);
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    @Override
    public void close() {
        serializer.close();
        deserializer.close();
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {
        // configured at construction
    }

}
