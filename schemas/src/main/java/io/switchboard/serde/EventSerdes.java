package io.switchboard.serde;

import io.switchboard.config.KafkaSettings;
import io.switchboard.topics.Topic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/** Picks the value serde of a topic from the configured {@link Framing}. Keys are plain UTF-8 conversation ids. */
public final class EventSerdes {
    private final KafkaSettings settings;

    public EventSerdes(KafkaSettings settings) {
        this.settings = settings;
    }

    @SuppressWarnings("unchecked")
    public <T extends SpecificRecord> Serde<T> forTopic(Topic topic) {
        return forType((Class<T>) topic.valueType());
    }

    public <T extends SpecificRecord> Serde<T> forType(Class<T> type) {
        return switch (settings.framing()) {
            case EMBEDDED -> new EmbeddedAvroSerde<>(type);
            case REGISTRY -> new RegistryAvroSerde<>(type, settings.schemaRegistryUrl());
        };
    }
}
