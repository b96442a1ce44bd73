package io.switchboard.topics;

import io.switchboard.events.AgentEvent;
import io.switchboard.events.DeadLetter;
import io.switchboard.events.DeliveryEvent;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.IntelligenceEvent;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.VoiceFrame;
import java.time.Duration;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The topic catalog: every topic Switchboard writes, with the event type it holds and how long it keeps it.
 * Conversation topics keep records long enough to replay and transcribe; voice frames are useful only live.
 */
public enum Topic {
    INBOUND("tac.inbound.v1", InboundEvent.class, Duration.ofDays(30), false),
    AGENT("tac.agent.v1", AgentEvent.class, Duration.ofDays(30), false),
    OUTBOUND("tac.outbound.v1", OutboundEvent.class, Duration.ofDays(30), false),
    VOICE_EGRESS("tac.voice.egress.v1", VoiceFrame.class, Duration.ofHours(1), false),
    DELIVERY("tac.delivery.v1", DeliveryEvent.class, Duration.ofDays(30), false),
    INTELLIGENCE("tac.ci.v1", IntelligenceEvent.class, Duration.ofDays(30), false),
    DEAD_LETTER("tac.dlq.v1", DeadLetter.class, Duration.ofDays(30), false);

    private final String topicName;
    private final Class<? extends SpecificRecord> valueType;
    private final Duration retention;
    private final boolean compacted;

    Topic(String topicName, Class<? extends SpecificRecord> valueType, Duration retention, boolean compacted) {
        this.topicName = topicName;
        this.valueType = valueType;
        this.retention = retention;
        this.compacted = compacted;
    }

    public String topicName() {
        return topicName;
    }

    public Class<? extends SpecificRecord> valueType() {
        return valueType;
    }

    public Duration retention() {
        return retention;
    }

    public boolean compacted() {
        return compacted;
    }

    /**
     * Topic-level configs of this topic applied at creation; replication and {@code min.insync.replicas} depend on the
     * cluster and come from the service settings ({@code KafkaSettings.newTopic}).
     */
    public Map<String, String> configs() {
        return Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, compacted ? TopicConfig.CLEANUP_POLICY_COMPACT : TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis()));
    }

    public static Topic byName(String name) {
        for (Topic t : values()) {
            if (t.topicName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("Unknown Switchboard topic: " + name);
    }
}
