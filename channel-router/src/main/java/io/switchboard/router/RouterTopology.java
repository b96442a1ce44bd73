package io.switchboard.router;

import io.switchboard.events.AgentEvent;
import io.switchboard.events.DeliveryEvent;
import io.switchboard.events.Handoff;
import io.switchboard.events.InboundEvent;
import io.switchboard.kafka.PayloadType;
import io.switchboard.serde.EventSerdes;
import io.switchboard.topics.Topic;
import io.switchboard.tracing.Tracing;
import java.time.Duration;
import java.util.Set;
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
 * tac.delivery.v1 (handoffs) ──┘
 *                    │          │
 *          dedup-ids, dedup-expiry   sessions, call-ends, memory-held
 * </pre>
 *
 * Everything is keyed by conversation id, so one conversation stays on one task and in order. Memory
 * ({@code memory_mode}) is fetched by {@link #SESSIONS} without blocking the partition: a message waiting for its
 * memory is held in {@link #HELD_STORE} with its conversation's later events queued behind it (see
 * {@link SessionProcessor}).
 */
final class RouterTopology {
    static final String INBOUND_SOURCE = "inbound-source";
    static final String DELIVERY_SOURCE = "delivery-source";
    static final String DEDUP = "dedup";
    static final String SESSIONS = "sessions";
    static final String AGENT_SINK = "agent-sink";

    static final String DEDUP_STORE = "dedup-ids";
    static final String DEDUP_EXPIRY_STORE = "dedup-expiry";
    static final String SESSION_STORE = "sessions";
    static final String CALL_END_STORE = "call-ends";
    static final String HELD_STORE = "memory-held";

    private RouterTopology() {
    }

    /** Builds the topology; every store is changelogged. */
    static Topology build(Duration dedupWindow, Duration inactivityTimeout, Duration callEndGrace, MemoryRouting memory,
            EventSerdes serdes, RouterMetrics metrics, Tracing tracing) {
        Serde<InboundEvent> inbound = serdes.forType(InboundEvent.class);
        Serde<AgentEvent> agent = serdes.forType(AgentEvent.class);
        Topology topology = new Topology();

        topology.addSource(INBOUND_SOURCE, Serdes.String().deserializer(), inbound.deserializer(), Topic.INBOUND.topicName());
        topology.addProcessor(DEDUP, () -> new DedupProcessor(dedupWindow, metrics), INBOUND_SOURCE);
        // the outcome of the agents' handoffs (tac.delivery.v1: same key, and each delivery is written to the partition
        // number of its outbound record, so the same task as the inbound facts); deliveries of replies and tokens,
        // named by their payload header, are skipped undecoded (null values are ignored)
        topology.addSource(DELIVERY_SOURCE, Serdes.String().deserializer(),
                PayloadType.only(serdes.forType(DeliveryEvent.class).deserializer(), Set.of(Handoff.class)),
                Topic.DELIVERY.topicName());
        topology.addProcessor(SESSIONS, () -> new SessionProcessor(inactivityTimeout, callEndGrace, memory, metrics, tracing),
                DEDUP, DELIVERY_SOURCE);
        topology.addSink(AGENT_SINK, Topic.AGENT.topicName(), Serdes.String().serializer(), agent.serializer(), SESSIONS);

        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DEDUP_STORE),
                Serdes.String(), Serdes.Long()), DEDUP);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DEDUP_EXPIRY_STORE),
                Serdes.String(), Serdes.String()), DEDUP);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SESSION_STORE),
                Serdes.String(), new ConversationState.StoreSerde()), SESSIONS);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CALL_END_STORE),
                Serdes.String(), Serdes.Long()), SESSIONS);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HELD_STORE),
                Serdes.String(), new HeldMessage.StoreSerde()), SESSIONS);
        return topology;
    }

    static Topology build(RouterConfig config, EventSerdes serdes, RouterMetrics metrics) {
        return build(config, serdes, metrics, Tracing.OFF);
    }

    static Topology build(RouterConfig config, EventSerdes serdes, RouterMetrics metrics, Tracing tracing) {
        return build(config.dedupWindow(), config.inactivityTimeout(), config.callEndGrace(), MemoryRouting.from(config),
                serdes, metrics, tracing);
    }
}
