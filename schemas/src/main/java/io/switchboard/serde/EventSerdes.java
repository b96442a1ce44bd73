package io.switchboard.serde;

import io.switchboard.topics.Topic;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * Picks the value serde of a topic from the configured {@link Framing}. Keys are plain UTF-8 conversation ids.
 * Takes the framing as values, not the service configuration, so the wire contract does not depend on the runtime
 * ({@code KafkaSettings.serdes()} builds one from the settings).
 */
public final class EventSerdes {
    private final Framing framing;
    private final String schemaRegistryUrl;

    /** @param schemaRegistryUrl the registry's URL; required with {@link Framing#REGISTRY}, ignored otherwise */
    public EventSerdes(Framing framing, String schemaRegistryUrl) {
        this.framing = Objects.requireNonNull(framing, "framing");
        this.schemaRegistryUrl = schemaRegistryUrl;
    }

    @SuppressWarnings("unchecked")
    public <T extends SpecificRecord> Serde<T> forTopic(Topic topic) {
        return forType((Class<T>) topic.valueType());
    }

    public <T extends SpecificRecord> Serde<T> forType(Class<T> type) {
        return switch (framing) {
            case EMBEDDED -> new EmbeddedAvroSerde<>(type);
            case REGISTRY -> new RegistryAvroSerde<>(type, schemaRegistryUrl);
        };
    }
}
