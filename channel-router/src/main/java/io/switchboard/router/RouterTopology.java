package io.switchboard.router;

import io.switchboard.events.AgentEvent;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.OutboundEvent;
import io.switchboard.serde.EventSerdes;
import io.switchboard.topics.Topic;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The router's topology, top to bottom:
 *
 * <pre>
 * tac.inbound.v1 ─▶ dedup ─▶ sessions ─▶ tac.agent.v1
 *                              ▲
 * tac.outbound.v1 (handoffs) ──┘
 *                    │          │
 *          dedup-ids, dedup-expiry   sessions, call-ends
 * </pre>
 *
 * Everything is keyed by conversation id, so one conversation stays on one task and in order. A memory step
 * ({@code memory_mode}) goes between {@link #SESSIONS} and {@link #AGENT_SINK}: see {@link #build}.
 */
final class RouterTopology {
    static final String INBOUND_SOURCE = "inbound-source";
    static final String OUTBOUND_SOURCE = "outbound-source";
    static final String DEDUP = "dedup";
    static final String SESSIONS = "sessions";
    static final String AGENT_SINK = "agent-sink";

    static final String DEDUP_STORE = "dedup-ids";
    static final String DEDUP_EXPIRY_STORE = "dedup-expiry";
    static final String SESSION_STORE = "sessions";
    static final String CALL_END_STORE = "call-ends";

    private RouterTopology() {
    }

    /**
     * Builds the topology. To add memory later without blocking a partition: a processor after {@link #SESSIONS}
     * forwards events that need no memory straight to {@link #AGENT_SINK}; a message that needs memory is parked in
     * a changelogged pending store (with any later events of its conversation queued behind it, so order holds)
     * while a request goes out on a memory-request topic; a second source reading memory replies completes the
     * parked message and releases the queue. Other conversations never wait.
     */
    static Topology build(Duration dedupWindow, Duration inactivityTimeout, Duration callEndGrace, EventSerdes serdes,
            RouterMetrics metrics) {
        Serde<InboundEvent> inbound = serdes.forType(InboundEvent.class);
        Serde<AgentEvent> agent = serdes.forType(AgentEvent.class);
        Topology topology = new Topology();

        topology.addSource(INBOUND_SOURCE, Serdes.String().deserializer(), inbound.deserializer(), Topic.INBOUND.topicName());
        topology.addProcessor(DEDUP, () -> new DedupProcessor(dedupWindow, metrics), INBOUND_SOURCE);
        // the agents' handoffs (tac.outbound.v1, same key and partitioning) reach the same task as the inbound facts
        topology.addSource(OUTBOUND_SOURCE, Serdes.String().deserializer(),
                serdes.forType(OutboundEvent.class).deserializer(), Topic.OUTBOUND.topicName());
        topology.addProcessor(SESSIONS, () -> new SessionProcessor(inactivityTimeout, callEndGrace, metrics), DEDUP,
                OUTBOUND_SOURCE);
        topology.addSink(AGENT_SINK, Topic.AGENT.topicName(), Serdes.String().serializer(), agent.serializer(), SESSIONS);

        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DEDUP_STORE),
                Serdes.String(), Serdes.Long()), DEDUP);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DEDUP_EXPIRY_STORE),
                Serdes.String(), Serdes.String()), DEDUP);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SESSION_STORE),
                Serdes.String(), new ConversationState.StoreSerde()), SESSIONS);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CALL_END_STORE),
                Serdes.String(), Serdes.Long()), SESSIONS);
        return topology;
    }

    static Topology build(RouterConfig config, EventSerdes serdes, RouterMetrics metrics) {
        return build(config.dedupWindow(), config.inactivityTimeout(), config.callEndGrace(), serdes, metrics);
    }
}
