package io.switchboard.memory.service;

import io.switchboard.events.InboundEvent;
import io.switchboard.events.IntelligenceEvent;
import io.switchboard.events.Memory;
import io.switchboard.events.Observation;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Summary;
import io.switchboard.serde.EmbeddedAvroSerde;
import io.switchboard.serde.EventSerdes;
import io.switchboard.topics.Topic;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The local memory's topology, top to bottom:
 *
 * <pre>
 * tac.inbound.v1  ─▶ InboundHistory ──┐
 * tac.outbound.v1 ─▶ OutboundHistory ─┤
 * tac.memory.observations.v1 ─────────┼─▶ memory-by-customer ─▶ MemoryItems.Writer
 * tac.ci.v1 (an operator is set) ─────┘
 * tac.inbound.v1, tac.outbound.v1 ─▶ CustomerLinks.of ─▶ memory-links-by-customer ─▶ CustomerLinks.Writer
 * </pre>
 *
 * The history processors read events keyed by conversation and emit memory deltas keyed by subject (customer, see
 * {@link Addresses}); the repartitions give one instance all of a customer's rows and links, so it can answer for
 * them ({@link MemoryQueries}). Stores, all changelogged so a restart on a new machine finds them again:
 * {@value InboundHistory#CALLERS_STORE} and {@value OutboundHistory#PARTIAL_REPLIES_STORE}, small and short-lived,
 * in memory; {@value MemoryItems#ITEMS_STORE} and {@value MemoryItems#COUNTS_STORE} (see {@link MemoryItems}) and
 * {@value CustomerLinks#STORE} in RocksDB.
 */
final class MemoryTopology {
    static final String BY_CUSTOMER = "memory-by-customer";
    static final String LINKS_BY_CUSTOMER = "memory-links-by-customer";

    private MemoryTopology() {
    }

    static Topology build(MemoryConfig config, EventSerdes serdes) {
        EmbeddedAvroSerde<Memory> memorySerde = new EmbeddedAvroSerde<>(Memory.class);
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(InboundHistory.CALLERS_STORE),
                Serdes.String(), Serdes.String()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(OutboundHistory.PARTIAL_REPLIES_STORE), Serdes.String(), Serdes.String()));

        KStream<String, InboundEvent> inbound = builder.stream(Topic.INBOUND.topicName(),
                Consumed.with(Serdes.String(), serdes.<InboundEvent>forTopic(Topic.INBOUND)));
        KStream<String, OutboundEvent> outbound = builder.stream(Topic.OUTBOUND.topicName(),
                Consumed.with(Serdes.String(), serdes.<OutboundEvent>forTopic(Topic.OUTBOUND)));
        KStream<String, Memory> fromInbound = inbound.process(InboundHistory::new, InboundHistory.CALLERS_STORE);
        KStream<String, Memory> fromOutbound = outbound.process(OutboundHistory::new, OutboundHistory.PARTIAL_REPLIES_STORE);
        KStream<String, Memory> observations = builder
                .stream(MemoryService.OBSERVATIONS_TOPIC,
                        Consumed.with(Serdes.String(), new EmbeddedAvroSerde<>(Observation.class)))
                .filter((subject, o) -> subject != null && o != null)
                .mapValues(o -> Memory.newBuilder().setObservations(List.of(o)).build());

        KStream<String, Memory> all = fromInbound.merge(fromOutbound).merge(observations);
        if (config.intelligenceEnabled()) {
            IntelligenceResults results = IntelligenceResults.of(config);
            all = all.merge(builder
                    .stream(Topic.INTELLIGENCE.topicName(),
                            Consumed.with(Serdes.String(), serdes.<IntelligenceEvent>forTopic(Topic.INTELLIGENCE)))
                    .filter((conversationId, event) -> event != null)
                    .flatMap((conversationId, event) -> intelligence(results, event)));
        }
        // re-keyed by subject (customer), so one instance owns all of a customer's rows and answers for them
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(MemoryItems.ITEMS_STORE),
                Serdes.String(), memorySerde));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(MemoryItems.COUNTS_STORE),
                Serdes.String(), Serdes.Long()).withCachingEnabled());
        int bound = config.historyPerCustomer();
        all.repartition(Repartitioned.with(Serdes.String(), memorySerde).withName(BY_CUSTOMER))
                .process(() -> new MemoryItems.Writer(bound), MemoryItems.ITEMS_STORE, MemoryItems.COUNTS_STORE);

        // which profile and addresses are one customer, partitioned by subject like the rows; the writer is connected
        // to the items store too, so Streams keeps both in one sub-topology: a subject's rows and links share a task,
        // and the instance that owns one owns the other
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CustomerLinks.STORE),
                Serdes.String(), Serdes.Long()));
        inbound.flatMap((conversationId, event) -> CustomerLinks.of(event))
                .merge(outbound.flatMap((conversationId, event) -> CustomerLinks.of(event)))
                .repartition(Repartitioned.with(Serdes.String(), Serdes.String()).withName(LINKS_BY_CUSTOMER))
                .process(CustomerLinks.Writer::new, CustomerLinks.STORE, MemoryItems.ITEMS_STORE);
        return builder.build();
    }

    /**
     * Conversation Intelligence results as memory deltas of the customers' profiles; item ids come from the operator
     * result, so a redelivered or retried event adds nothing.
     */
    static List<KeyValue<String, Memory>> intelligence(IntelligenceResults results, IntelligenceEvent event) {
        List<KeyValue<String, Memory>> deltas = new ArrayList<>();
        for (IntelligenceResults.Write write : results.writes(event)) {
            Memory.Builder delta = Memory.newBuilder();
            if (write.kind() == IntelligenceResults.Kind.OBSERVATION) {
                delta.setObservations(write.items().stream().map(item -> Observation.newBuilder().setId(item.id())
                        .setContent(item.content()).setCreatedAtMillis(write.occurredAtMillis()).build()).toList());
            } else {
                delta.setSummaries(write.items().stream().map(item -> Summary.newBuilder().setId(item.id())
                        .setContent(item.content()).setCreatedAtMillis(write.occurredAtMillis()).build()).toList());
            }
            for (String subject : Addresses.subjects(write.profileId(), null)) {
                deltas.add(KeyValue.pair(subject, delta.build()));
            }
        }
        return deltas;
    }
}
