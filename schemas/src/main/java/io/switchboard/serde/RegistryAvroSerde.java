package io.switchboard.serde;

import io.apicurio.registry.serde.Default4ByteIdHandler;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.apicurio.registry.serde.avro.AvroSerdeConfig;
import io.apicurio.registry.serde.config.IdOption;
import io.apicurio.registry.serde.config.SerdeConfig;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The {@link Framing#REGISTRY} framing through Apicurio's serdes: Confluent wire framing (magic byte 0, 4-byte id),
 * schemas registered on first use under the topic's value subject ({@code <topic>-value} in the default group),
 * decoded into the generated classes. The id is Apicurio's content id, which is what the registry's
 * Confluent-compatible API ({@code /apis/ccompat/v7/schemas/ids/<id>}) calls the schema id, so Confluent clients
 * read these records too.
 *
 * <p>The registry URL is Apicurio's core v3 API ({@code http://host:8080/apis/registry/v3}); a bare
 * {@code http://host:8080} gets that path added.
 */
public final class RegistryAvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {
    private final AvroKafkaSerializer<T> serializer = new AvroKafkaSerializer<>();
    private final AvroKafkaDeserializer<T> deserializer = new AvroKafkaDeserializer<>();
    private final Class<T> type;

    public RegistryAvroSerde(Class<T> type, String registryUrl) {
        this.type = type;
        Map<String, Object> config = Map.of(
                SerdeConfig.REGISTRY_URL, coreApiUrl(registryUrl),
                SerdeConfig.AUTO_REGISTER_ARTIFACT, true,
                SerdeConfig.ID_HANDLER, Default4ByteIdHandler.class.getName(),
                SerdeConfig.USE_ID, IdOption.contentId.name(),
                // one self-contained schema per subject, as Confluent clients expect (not a reference per named type)
                SerdeConfig.DEREFERENCE_SCHEMA, true,
                AvroSerdeConfig.USE_SPECIFIC_AVRO_READER, true,
                AvroSerdeConfig.AVRO_DATUM_PROVIDER, CachingAvroDatumProvider.class.getName());
        serializer.configure(config, false);
        deserializer.configure(config, false);
    }

    /** The core v3 API under {@code url}: the URL itself if it names an API path, else the path added. */
    static String coreApiUrl(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("The registry framing needs a schema registry URL");
        }
        String trimmed = url.strip().replaceAll("/+$", "");
        if (trimmed.contains("/apis/ccompat")) {
            throw new IllegalArgumentException("Schema registry URL " + url + " is the Confluent-compatible API;"
                    + " the registry framing talks to Apicurio's core API, e.g. "
                    + trimmed.substring(0, trimmed.indexOf("/apis/ccompat")) + "/apis/registry/v3");
        }
        return trimmed.contains("/apis/") ? trimmed : trimmed + "/apis/registry/v3";
    }

    @Override
    public byte[] serialize(String topic, T data) {
        return serializer.serialize(topic, data);
    }

    /**
     * Whatever the bytes, a record or a {@link SerializationException}, as the embedded framing answers: Apicurio's
     * deserializer throws what it meets (IllegalStateException for a wrong magic byte, UncheckedIOException for a
     * truncated body, the registry client's ApiException for an unknown id), found by {@code SerdeFuzzTest}; and a
     * record of another type or missing required fields.
     */
    @Override
    public T deserialize(String topic, byte[] data) {
        T record;
        try {
            record = deserializer.deserialize(topic, data);
        } catch (SerializationException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new SerializationException("Cannot decode a record of " + topic + ": " + e, e);
        }
        // The id picks the writer schema, and Apicurio's specific reader the class named by it: another topic's id
        // gives another type, and a writer schema the type's own does not resolve from leaves required fields null
        // (found by SerdeFuzzTest's long mode). Such a record is a decoding error, as with the embedded framing.
        if (record != null && (!type.isInstance(record) || !complete(record))) {
            throw new SerializationException("Not a valid " + type.getSimpleName() + " on " + topic + ": "
                    + record.getClass().getSimpleName() + " from schema id of another type or version");
        }
        return record;
    }

    /** Every field its schema requires is set, in nested records too (Avro's validate would refuse logical types). */
    private static boolean complete(Object value) {
        if (!(value instanceof SpecificRecord record)) {
            return true;
        }
        for (Schema.Field field : record.getSchema().getFields()) {
            Object fieldValue = record.get(field.pos());
            if (fieldValue == null ? !nullable(field.schema()) : !complete(fieldValue)) {
                return false;
            }
        }
        return true;
    }

    private static boolean nullable(Schema schema) {
        return schema.getType() == Schema.Type.NULL || schema.getType() == Schema.Type.UNION
                && schema.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.NULL);
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
    public void configure(Map<String, ?> configs, boolean isKey) {
        // configured at construction
    }

}
