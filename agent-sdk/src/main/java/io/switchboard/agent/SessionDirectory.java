package io.switchboard.agent;

import io.switchboard.events.AgentEvent;
import io.switchboard.events.agent.ConversationEnded;
import io.switchboard.kafka.KafkaClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Where {@link SwitchboardAgent#sendResponse} finds a conversation's channel and addresses without the caller
 * re-supplying them: the session the router last attached to the conversation's agent events. tac.agent.v1 is the
 * durable record of that (every agent event carries the session, and {@code ConversationEnded} marks the end), so no
 * other service or topic is asked. The sessions of conversations this worker handled are remembered as their events
 * pass; any other (another worker's partition, a process that only sends) is read from the conversation's partition of
 * tac.agent.v1, from {@code SWITCHBOARD_AGENT_SESSION_LOOKBACK_MS} ago to its end — the router ends a quiet
 * conversation after its inactivity timeout, so an older one is over anyway.
 */
final class SessionDirectory {
    private static final int REMEMBERED = 100_000;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    /** The last the router said of a conversation. */
    record Known(io.switchboard.events.Session session, boolean ended) {
    }

    private final AgentConfig config;
    private final Map<String, Known> recent = Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Known> eldest) {
            return size() > REMEMBERED;
        }
    });

    SessionDirectory(AgentConfig config) {
        this.config = config;
    }

    /** Every agent event this worker handles, in order: its session is the conversation's latest. */
    void seen(AgentEvent event) {
        recent.put(event.getConversationId(), known(event));
    }

    /** The conversation's latest session (remembered, else read from tac.agent.v1), or empty when none is found. */
    Optional<Known> find(String conversationId) {
        Known known = recent.get(conversationId);
        return known != null ? Optional.of(known) : Optional.ofNullable(read(conversationId));
    }

    private static Known known(AgentEvent event) {
        // only an end ends it (a failed handoff, for one, leaves the conversation with the agent)
        return new Known(event.getSession(), event.getPayload() instanceof ConversationEnded);
    }

    /** Blocking: reads the conversation's partition of tac.agent.v1 over the look-back window. */
    private Known read(String conversationId) {
        KafkaClients clients = new KafkaClients(config.kafka());
        Map<String, Object> properties = clients.consumerConfig(null, config.groupId() + "-sessions");
        // as the agents read it: the router's latest event may still be in its open transaction
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, config.isolationLevel());
        try (KafkaConsumer<String, AgentEvent> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
                clients.serdes().forType(AgentEvent.class).deserializer())) {
            int partitions = consumer.partitionsFor(config.inputTopic()).size();
            // the producer's default partitioner for a keyed record: where the router wrote this conversation
            TopicPartition partition = new TopicPartition(config.inputTopic(),
                    Utils.toPositive(Utils.murmur2(conversationId.getBytes(StandardCharsets.UTF_8))) % partitions);
            consumer.assign(List.of(partition));
            long since = System.currentTimeMillis() - config.sessionLookback().toMillis();
            OffsetAndTimestamp from = consumer.offsetsForTimes(Map.of(partition, since)).get(partition);
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            if (from == null) {
                return null;
            }
            consumer.seek(partition, from.offset());
            Known last = null;
            long deadline = System.currentTimeMillis() + READ_TIMEOUT.toMillis();
            while (consumer.position(partition) < end) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("Could not read " + partition + " to its end within " + READ_TIMEOUT
                            + " to find conversation " + conversationId);
                }
                for (ConsumerRecord<String, AgentEvent> record : consumer.poll(Duration.ofMillis(200))) {
                    if (conversationId.equals(record.key()) && record.value() != null) {
                        last = known(record.value());
                    }
                }
            }
            return last;
        }
    }
}
