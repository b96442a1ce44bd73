package io.switchboard.kafka;

import io.switchboard.config.KafkaSettings;
import io.switchboard.serde.EventSerdes;
import io.switchboard.topics.Topic;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Client settings every service shares. Producers never lose an acknowledged record (acks=all, idempotent) and
 * do not wait to batch on the latency path; consumers commit by hand, after the effect is durable.
 */
public final class KafkaClients {
    private final KafkaSettings settings;
    private final EventSerdes serdes;

    public KafkaClients(KafkaSettings settings) {
        this.settings = settings;
        this.serdes = settings.serdes();
    }

    public KafkaSettings settings() {
        return settings;
    }

    public EventSerdes serdes() {
        return serdes;
    }

    public Map<String, Object> producerConfig(String clientId) {
        Map<String, Object> config = common(clientId);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, settings.compressionType());
        return config;
    }

    /**
     * A transactional producer's settings: {@link #producerConfig} with the transactional id, and a short first
     * retry. Right after a commit the coordinator is still writing the last transaction's markers, and the next
     * transaction's first produce request is refused with CONCURRENT_TRANSACTIONS until it is done (a few ms); the
     * default backoff of 100 ms would hold every record of the next transaction that long. Retries still back off
     * exponentially up to {@code retry.backoff.max.ms}, so an unavailable broker is not hammered.
     */
    public Map<String, Object> transactionalProducerConfig(String clientId, String transactionalId) {
        Map<String, Object> config = producerConfig(clientId);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        config.putAll(TRANSACTIONAL_RETRY);
        return config;
    }

    /** The retry backoff of a transactional producer (see {@link #transactionalProducerConfig}). */
    public static final Map<String, Object> TRANSACTIONAL_RETRY = Map.of(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 5);

    /**
     * The fetch settings of a reader off the reply path (the local memory, the simulator's view): it takes records in
     * batches of up to {@code fetch.max.wait.ms} instead of one fetch per record. Each fetch a consumer makes costs the
     * broker a request, so a reader that wakes for every record of a busy topic costs about as much as the stage that
     * wrote it; such a reader is at most this much behind.
     */
    public static final Map<String, Object> BATCHED_FETCH = Map.of(
            ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 256 * 1024,
            ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);

    public Map<String, Object> consumerConfig(String groupId, String clientId) {
        Map<String, Object> config = common(clientId);
        if (groupId != null) {
            config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
            if (settings.classicGroupProtocol()) {
                config.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
                config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
            } else {
                // KIP-848: no group-wide join barrier; the broker's assignor is sticky, and the client config allows
                // no assignment strategy
                config.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
            }
        }
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1);
        return config;
    }

    public Map<String, Object> adminConfig(String clientId) {
        Map<String, Object> config = common(clientId);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        return config;
    }

    public <V extends SpecificRecord> KafkaProducer<String, V> producer(String clientId, Class<V> valueType) {
        return new KafkaProducer<>(producerConfig(clientId), new StringSerializer(), serdes.forType(valueType).serializer());
    }

    public <V extends SpecificRecord> KafkaConsumer<String, V> consumer(String groupId, String clientId, Topic topic) {
        return new KafkaConsumer<>(consumerConfig(groupId, clientId), new StringDeserializer(),
                serdes.<V>forTopic(topic).deserializer());
    }

    public Admin admin(String clientId) {
        return Admin.create(adminConfig(clientId));
    }

    private Map<String, Object> common(String clientId) {
        Map<String, Object> config = new HashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        return config;
    }
}
