package io.switchboard.config;

import io.switchboard.serde.EventSerdes;
import io.switchboard.serde.Framing;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.TopicConfig;

/** Settings every service shares: where Kafka is, how records are framed, how topics are made. */
public final class KafkaSettings extends EnvConfig {
    public static final String BOOTSTRAP_SERVERS = "KAFKA_BOOTSTRAP_SERVERS";
    public static final String SERDE = "SWITCHBOARD_SERDE";
    public static final String SCHEMA_REGISTRY_URL = "SCHEMA_REGISTRY_URL";
    public static final String TOPIC_PARTITIONS = "SWITCHBOARD_TOPIC_PARTITIONS";
    public static final String TOPIC_REPLICATION = "SWITCHBOARD_TOPIC_REPLICATION";
    public static final String VOICE_EGRESS_PARTITIONS = "SWITCHBOARD_VOICE_EGRESS_PARTITIONS";
    public static final String COMPRESSION_TYPE = "KAFKA_COMPRESSION_TYPE";
    public static final String GROUP_PROTOCOL = "KAFKA_GROUP_PROTOCOL";

    public static final ConfigDef DEFINITION = define(new ConfigDef());

    /** Adds the shared settings to a service's own definition. */
    public static ConfigDef define(ConfigDef def) {
        return def
                .define(BOOTSTRAP_SERVERS, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                        Importance.HIGH, "Kafka bootstrap servers, host:port[,host:port]. `dev` sets it to its embedded broker.")
                .define(SERDE, Type.STRING, "embedded",
                        ConfigDef.CaseInsensitiveValidString.in("embedded", "registry"), Importance.MEDIUM,
                        "Record framing: `embedded` (Avro single-object encoding, no registry) or `registry` (Confluent wire framing with a schema registry).")
                .define(SCHEMA_REGISTRY_URL, Type.STRING, null, Importance.MEDIUM,
                        "Apicurio Registry URL, its core v3 API (`http://host:8080/apis/registry/v3`; a bare `http://host:8080` gets that path); required when SWITCHBOARD_SERDE=registry. Records carry Confluent framing, so Confluent clients can read them through the registry's `/apis/ccompat/v7` API.")
                .define(TOPIC_PARTITIONS, Type.INT, 12, ConfigDef.Range.atLeast(1), Importance.LOW,
                        "Partitions of each conversation topic when Switchboard creates it.")
                .define(TOPIC_REPLICATION, Type.SHORT, (short) 1, ConfigDef.Range.atLeast(1), Importance.LOW,
                        "Replication factor of the topics Switchboard creates (3 in production). From 3 on, each topic also requires 2 in-sync replicas (`min.insync.replicas=2`): an acknowledged write is on two brokers, and with only one broker left writes are refused (ingress answers 503) rather than kept on one copy.")
                .define(VOICE_EGRESS_PARTITIONS, Type.INT, 16, ConfigDef.Range.atLeast(1), Importance.LOW,
                        "Partitions of tac.voice.egress.v1: one per ingress instance, so the most ingress instances that can hold calls.")
                .define(COMPRESSION_TYPE, Type.STRING, "none",
                        ConfigDef.CaseInsensitiveValidString.in("none", "gzip", "snappy", "lz4", "zstd"), Importance.LOW,
                        "Compression of every record batch Switchboard produces. Records go out one by one (linger 0, for latency), and a batch of one small event gains nothing from compression while lz4 allocates and clears 128 KiB of buffers for it; choose lz4 or zstd where brokers are far and traffic is heavy enough to batch.")
                .define(GROUP_PROTOCOL, Type.STRING, "consumer",
                        ConfigDef.CaseInsensitiveValidString.in("consumer", "classic"), Importance.LOW,
                        "Rebalance protocol of the consumer groups (agents, outbound-sender, memory's CI writer; the Kafka Streams apps keep theirs): `consumer` (KIP-848, brokers 4.0+: the broker assigns partitions member by member, so a worker that stops in the middle of a rebalance holds up no other) or `classic` (JoinGroup/SyncGroup with the cooperative-sticky assignor, for older brokers; a member caught closing inside a rebalance can stall the whole group until its session expires).");
    }

    public KafkaSettings(Map<String, String> env) {
        super(DEFINITION, env);
        if (framing() == Framing.REGISTRY && schemaRegistryUrl() == null) {
            throw new InvalidConfigurationException(SCHEMA_REGISTRY_URL + " is required when " + SERDE + "=registry");
        }
    }

    public static KafkaSettings fromEnv(Map<String, String> env) {
        return load(KafkaSettings::new, env);
    }

    public String bootstrapServers() {
        return getString(BOOTSTRAP_SERVERS);
    }

    public Framing framing() {
        return Framing.valueOf(getString(SERDE).toUpperCase(Locale.ROOT));
    }

    public String schemaRegistryUrl() {
        return optionalString(SCHEMA_REGISTRY_URL);
    }

    /** The serdes of the configured framing. */
    public EventSerdes serdes() {
        return new EventSerdes(framing(), schemaRegistryUrl());
    }

    public int topicPartitions() {
        return getInt(TOPIC_PARTITIONS);
    }

    public short topicReplication() {
        return getShort(TOPIC_REPLICATION);
    }

    /**
     * {@code min.insync.replicas} of every topic Switchboard creates: 2 from three replicas on, so that a write
     * acknowledged under {@code acks=all} is on at least two brokers and survives losing one (with one broker left,
     * producers get NotEnoughReplicas and ingress answers 503, which Twilio retries); 1 below that, where 2 would
     * refuse every write as soon as one of the two brokers is away.
     */
    public int topicMinInSyncReplicas() {
        return topicReplication() >= 3 ? 2 : 1;
    }

    /**
     * A topic as Switchboard creates it (the catalog's, the memory service's own, replay's shadow topics): the
     * configured replication and {@link #topicMinInSyncReplicas()}, plus the topic's own configs.
     */
    public NewTopic newTopic(String name, int partitions, Map<String, String> configs) {
        Map<String, String> all = new HashMap<>(configs);
        all.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(topicMinInSyncReplicas()));
        return new NewTopic(name, partitions, topicReplication()).configs(all);
    }

    /** Producer compression: none, gzip, snappy, lz4 or zstd. */
    public String compressionType() {
        return getString(COMPRESSION_TYPE).toLowerCase(Locale.ROOT);
    }

    /** True when the consumer groups use the classic protocol; false for the consumer protocol (KIP-848). */
    public boolean classicGroupProtocol() {
        return "classic".equalsIgnoreCase(getString(GROUP_PROTOCOL));
    }

    public int voiceEgressPartitions() {
        return getInt(VOICE_EGRESS_PARTITIONS);
    }
}
