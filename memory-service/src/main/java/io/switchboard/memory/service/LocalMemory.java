package io.switchboard.memory.service;

import io.switchboard.config.KafkaSettings;
import io.switchboard.events.Channel;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.IntelligenceEvent;
import io.switchboard.events.Memory;
import io.switchboard.events.Observation;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.PastCommunication;
import io.switchboard.events.Reply;
import io.switchboard.events.Session;
import io.switchboard.events.Summary;
import io.switchboard.events.inbound.CallEnded;
import io.switchboard.events.inbound.CallStarted;
import io.switchboard.events.inbound.MessageReceived;
import io.switchboard.events.inbound.Prompt;
import io.switchboard.ids.EventIds;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.kafka.StreamsStartup;
import io.switchboard.memory.MemoryQuery;
import io.switchboard.serde.EmbeddedAvroSerde;
import io.switchboard.topics.Topic;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.switchboard.memory.MemoryJson;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Set;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local memory: a Kafka Streams application that keeps, per customer (profile id and normalised address), the
 * communication history read from {@code tac.inbound.v1} (messages, final voice prompts with the caller of the call)
 * and {@code tac.outbound.v1} (agent replies, streamed tokens joined), plus the observations agents write to
 * {@value MemoryService#OBSERVATIONS_TOPIC}, and the observations and summaries of Conversation Intelligence
 * operator results on {@code tac.ci.v1} (when an operator is configured; see {@link IntelligenceResults}).
 * Everything lives in changelogged stores, so a restart (even on a new machine) finds it again; retrieval reads the
 * store through interactive queries and ranks with {@link Bm25}.
 * <p>Stores: {@code memory-callers} (conversation id → caller of a running call) and {@code memory-partial-replies}
 * (reply id → tokens so far), small and short-lived, in memory with a changelog; {@code memory-items} (one row per
 * item of a subject, bounded per customer, see {@link MemoryItems}) in RocksDB with a changelog. Retrieval
 * reads this instance's store for the customers whose partitions it owns and asks the owning instance for the
 * others (Streams' {@code application.server} = {@code SWITCHBOARD_MEMORY_ADVERTISED_URL}).
 */
final class LocalMemory implements MemoryProvider {
    private static final Logger log = LoggerFactory.getLogger(LocalMemory.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    static final String CALLERS_STORE = "memory-callers";
    static final String PARTIAL_REPLIES_STORE = "memory-partial-replies";

    private final MemoryConfig config;
    private final KafkaClients clients;
    private final Vertx vertx;
    private final EmbeddedAvroSerde<Memory> memorySerde = new EmbeddedAvroSerde<>(Memory.class);
    private final EmbeddedAvroSerde<Observation> observationSerde = new EmbeddedAvroSerde<>(Observation.class);
    private final WebClient web; // asks the instance owning a customer; kept in a field (Vert.x 5)
    private final HostInfo self;
    /** Set in {@link #start()}, which the HTTP API may already be serving before: null until then (503). */
    private volatile KafkaStreams streams;
    private KafkaProducer<String, Observation> producer;

    LocalMemory(MemoryConfig config, KafkaClients clients, Vertx vertx) {
        this.config = config;
        this.clients = clients;
        this.vertx = vertx;
        this.web = WebClient.create(vertx);
        URI advertised = config.advertisedUrl();
        this.self = advertised == null ? null : new HostInfo(advertised.getHost(), advertised.getPort());
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public String describe() {
        return "local memory built from the topics (Kafka Streams application " + config.applicationId() + ", state in "
                + config.stateDir() + ")";
    }

    @Override
    public void start() throws Exception {
        createObservationsTopic();
        producer = new KafkaProducer<>(clients.producerConfig(config.applicationId() + "-observations"),
                new StringSerializer(), observationSerde);
        streams = new KafkaStreams(topology(), streamsProperties());
        StreamsStartup.startAndAwaitRunning(streams, "local memory", START_TIMEOUT,
                "is Kafka at " + config.kafka().bootstrapServers() + " reachable?");
    }

    private Properties streamsProperties() {
        KafkaSettings kafka = config.kafka();
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) kafka.topicReplication());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE); // replays are de-duplicated by id
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        // a record this version cannot read is skipped with a log line: memory is best effort, the pipeline is not
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        if (self != null) {
            p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
        }
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        return p;
    }

    private void createObservationsTopic() throws Exception {
        KafkaSettings kafka = config.kafka();
        try (Admin admin = clients.admin(config.applicationId() + "-admin")) {
            NewTopic topic = new NewTopic(MemoryService.OBSERVATIONS_TOPIC, kafka.topicPartitions(), kafka.topicReplication())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                            TopicConfig.RETENTION_MS_CONFIG, "-1",
                            TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "1"));
            admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    Topology topology() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(CALLERS_STORE),
                Serdes.String(), Serdes.String()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PARTIAL_REPLIES_STORE),
                Serdes.String(), Serdes.String()));

        KStream<String, InboundEvent> inbound = builder.stream(Topic.INBOUND.topicName(),
                Consumed.with(Serdes.String(), clients.serdes().<InboundEvent>forTopic(Topic.INBOUND)));
        KStream<String, OutboundEvent> outbound = builder.stream(Topic.OUTBOUND.topicName(),
                Consumed.with(Serdes.String(), clients.serdes().<OutboundEvent>forTopic(Topic.OUTBOUND)));
        KStream<String, Memory> fromInbound = inbound.process(InboundHistory::new, CALLERS_STORE);
        KStream<String, Memory> fromOutbound = outbound.process(OutboundHistory::new, PARTIAL_REPLIES_STORE);
        KStream<String, Memory> observations = builder
                .stream(MemoryService.OBSERVATIONS_TOPIC, Consumed.with(Serdes.String(), observationSerde))
                .filter((subject, o) -> subject != null && o != null)
                .mapValues(o -> Memory.newBuilder().setObservations(List.of(o)).build());

        KStream<String, Memory> all = fromInbound.merge(fromOutbound).merge(observations);
        if (config.intelligenceEnabled()) {
            IntelligenceResults results = IntelligenceResults.of(config);
            all = all.merge(builder
                    .stream(Topic.INTELLIGENCE.topicName(),
                            Consumed.with(Serdes.String(), clients.serdes().<IntelligenceEvent>forTopic(Topic.INTELLIGENCE)))
                    .filter((conversationId, event) -> event != null)
                    .flatMap((conversationId, event) -> intelligence(results, event)));
        }
        // re-keyed by subject (customer), so one instance owns all of a customer's rows and answers for them
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(MemoryItems.ITEMS_STORE),
                Serdes.String(), memorySerde));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(MemoryItems.COUNTS_STORE),
                Serdes.String(), Serdes.Long()).withCachingEnabled());
        int bound = config.historyPerCustomer();
        all.repartition(Repartitioned.with(Serdes.String(), memorySerde).withName("memory-by-customer"))
                .process(() -> new MemoryItems.Writer(bound), MemoryItems.ITEMS_STORE, MemoryItems.COUNTS_STORE);

        // which profile and addresses are one customer, partitioned by subject like the rows; the writer is connected
        // to the items store too, so Streams keeps both in one sub-topology: a subject's rows and links share a task,
        // and the instance that owns one owns the other
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CustomerLinks.STORE),
                Serdes.String(), Serdes.Long()));
        inbound.flatMap((conversationId, event) -> CustomerLinks.of(event))
                .merge(outbound.flatMap((conversationId, event) -> CustomerLinks.of(event)))
                .repartition(Repartitioned.with(Serdes.String(), Serdes.String()).withName("memory-links-by-customer"))
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

    /** History from tac.inbound.v1: customer messages and final voice prompts, keyed by customer. */
    static final class InboundHistory implements Processor<String, InboundEvent, String, Memory> {
        private ProcessorContext<String, Memory> context;
        private KeyValueStore<String, String> callers;

        @Override
        public void init(ProcessorContext<String, Memory> context) {
            this.context = context;
            this.callers = context.getStateStore(CALLERS_STORE);
        }

        @Override
        public void process(Record<String, InboundEvent> record) {
            InboundEvent event = record.value();
            if (event == null) {
                return;
            }
            String conversationId = event.getConversationId();
            Object payload = event.getPayload();
            if (payload instanceof MessageReceived m) {
                emit(context, record, m.getProfileId(), m.getAuthorAddress(), communication(event.getEventId(),
                        conversationId, m.getAuthorAddress(), false, m.getChannel(), m.getText(), event.getOccurredAt().toEpochMilli()));
            } else if (payload instanceof CallStarted c) {
                if (c.getFrom() != null) {
                    callers.put(conversationId, c.getFrom());
                }
            } else if (payload instanceof Prompt p) {
                String caller = callers.get(conversationId);
                if (caller != null && p.getLast() && !p.getVoicePrompt().isBlank()) {
                    emit(context, record, null, caller, communication(event.getEventId(), conversationId, caller, false,
                            Channel.VOICE, p.getVoicePrompt(), event.getOccurredAt().toEpochMilli()));
                }
            } else if (payload instanceof CallEnded) {
                callers.delete(conversationId);
            }
        }
    }

    /** History from tac.outbound.v1: agent replies, a streamed reply's tokens joined into one text. */
    static final class OutboundHistory implements Processor<String, OutboundEvent, String, Memory> {
        private ProcessorContext<String, Memory> context;
        private KeyValueStore<String, String> partial;

        @Override
        public void init(ProcessorContext<String, Memory> context) {
            this.context = context;
            this.partial = context.getStateStore(PARTIAL_REPLIES_STORE);
        }

        @Override
        public void process(Record<String, OutboundEvent> record) {
            OutboundEvent event = record.value();
            if (event == null || !(event.getPayload() instanceof Reply reply)) {
                return;
            }
            String text;
            if (reply.getLast() && reply.getSequence() == 0) {
                text = reply.getText();
            } else {
                String key = event.getConversationId() + "/" + reply.getReplyId();
                String soFar = partial.get(key);
                String joined = (soFar == null ? "" : soFar) + reply.getText();
                if (!reply.getLast()) {
                    partial.put(key, joined);
                    return;
                }
                partial.delete(key);
                text = joined;
            }
            if (text.isBlank()) {
                return;
            }
            Session session = event.getSession();
            emit(context, record, session.getProfileId(), session.getFrom(), communication(reply.getReplyId(),
                    event.getConversationId(), session.getTo(), true, session.getChannel(), text.strip(),
                    event.getOccurredAt().toEpochMilli()));
        }
    }

    private static PastCommunication communication(String id, String conversationId, String author, boolean fromAgent,
            Channel channel, String text, long at) {
        return PastCommunication.newBuilder().setId(id).setConversationId(conversationId).setAuthorAddress(author)
                .setFromAgent(fromAgent).setChannel(channel).setText(text).setOccurredAtMillis(at).build();
    }

    private static <V> void emit(ProcessorContext<String, Memory> context, Record<String, V> record, String profileId,
            String address, PastCommunication communication) {
        Memory delta = Memory.newBuilder().setCommunications(List.of(communication)).build();
        for (String subject : Addresses.subjects(profileId, address)) {
            context.forward(new Record<>(subject, delta, record.timestamp()));
        }
    }

    /** A subject's memory and the subjects linked to it (the same customer: see {@link CustomerLinks}). */
    record Customer(Memory memory, List<String> linked) {
    }

    /** Address → profile → the profile's other addresses: how far a retrieval follows links. */
    static final int MAX_LINK_HOPS = 2;

    @Override
    public Future<Memory> retrieve(MemoryQuery query, Limits limits) {
        List<String> subjects = Addresses.subjects(query.profileId(), query.address());
        return gather(subjects, new LinkedHashSet<>(subjects), new ArrayList<>(), 0).map(parts -> {
            Map<String, Observation> observations = new LinkedHashMap<>();
            Map<String, Summary> summaries = new LinkedHashMap<>();
            Map<String, PastCommunication> communications = new LinkedHashMap<>();
            for (Memory m : parts) {
                m.getObservations().forEach(o -> observations.putIfAbsent(o.getId(), o));
                m.getSummaries().forEach(x -> summaries.putIfAbsent(x.getId(), x));
                m.getCommunications().forEach(c -> communications.putIfAbsent(c.getId(), c));
            }
            return Ranking.rank(new ArrayList<>(observations.values()), new ArrayList<>(summaries.values()),
                    new ArrayList<>(communications.values()), query, limits);
        });
    }

    /** The memories of {@code frontier} and, breadth first, of the subjects linked to them (never one twice). */
    private Future<List<Memory>> gather(List<String> frontier, Set<String> seen, List<Memory> found, int hops) {
        List<Future<Customer>> parts = new ArrayList<>();
        for (String subject : frontier) {
            parts.add(customer(subject));
        }
        return Future.all(parts).compose(all -> {
            List<String> next = new ArrayList<>();
            for (Future<Customer> part : parts) {
                found.add(part.result().memory());
                if (hops < MAX_LINK_HOPS) {
                    part.result().linked().stream().filter(seen::add).forEach(next::add);
                }
            }
            return next.isEmpty() ? Future.succeededFuture(found) : gather(next, seen, found, hops + 1);
        });
    }

    /**
     * Everything kept about one subject: read from this instance's store when it owns the subject's partition (or
     * runs alone), else asked of the instance that does (its {@code GET /memory/internal/customers/{subject}}).
     */
    Future<Customer> customer(String subject) {
        if (self != null) {
            KafkaStreams streams = this.streams;
            if (streams == null) {
                return Future.failedFuture(new InvalidStateStoreException("local memory is starting"));
            }
            // rows are partitioned by subject (the repartition key), so the subject finds the owner
            KeyQueryMetadata owner = streams.queryMetadataForKey(MemoryItems.ITEMS_STORE, subject,
                    Serdes.String().serializer());
            HostInfo active = owner == null ? null : owner.activeHost();
            if (active != null && !active.equals(HostInfo.unavailable()) && !active.equals(self)) {
                return web.getAbs("http://" + active.host() + ":" + active.port() + "/memory/internal/customers/"
                                + URLEncoder.encode(subject, StandardCharsets.UTF_8))
                        .putHeader("Authorization", config.internalToken().authorizationHeader())
                        .timeout(5_000).send()
                        .compose(response -> response.statusCode() == 200
                                ? Future.succeededFuture(customerFromJson(response.bodyAsString()))
                                : Future.failedFuture(response.statusCode() == 503
                                        ? new InvalidStateStoreException("memory instance " + active + " is not ready")
                                        : new IllegalStateException("memory instance " + active + " answered "
                                                + response.statusCode())));
            }
        }
        return localCustomer(subject);
    }

    /** The internal API's answer: the memory's JSON plus {@code linkedSubjects} (which older instances ignore). */
    static String customerToJson(Customer customer) {
        JsonObject json = new JsonObject(MemoryJson.memoryToJson(customer.memory()));
        return json.put("linkedSubjects", new JsonArray(new ArrayList<>(customer.linked()))).encode();
    }

    static Customer customerFromJson(String body) {
        JsonObject json = new JsonObject(body);
        JsonArray linked = json.getJsonArray("linkedSubjects", new JsonArray());
        List<String> subjects = new ArrayList<>();
        linked.forEach(l -> subjects.add(String.valueOf(l)));
        return new Customer(MemoryJson.memoryFromJson(body), subjects);
    }

    /** The running streams; before {@link #start()} created them, "not ready" as while they restore (503). */
    private KafkaStreams started() {
        KafkaStreams current = streams;
        if (current == null) {
            throw new InvalidStateStoreException("local memory is starting");
        }
        return current;
    }

    /** The subject's memory and links from this instance's stores only (empty when absent). */
    Future<Customer> localCustomer(String subject) {
        return vertx.executeBlocking(() -> {
            KafkaStreams running = started();
            Memory memory = MemoryItems.read(running.store(StoreQueryParameters.fromNameAndType(MemoryItems.ITEMS_STORE,
                    QueryableStoreTypes.<String, Memory>keyValueStore())), subject, config.historyPerCustomer());
            List<String> linked = CustomerLinks.read(running.store(StoreQueryParameters.fromNameAndType(
                    CustomerLinks.STORE, QueryableStoreTypes.<String, Long>keyValueStore())), subject);
            return new Customer(memory, linked);
        }, false);
    }

    @Override
    public Future<String> addObservation(String profileId, String address, String content, String conversationId) {
        List<String> subjects = Addresses.subjects(profileId, address);
        if (subjects.isEmpty()) {
            return Future.failedFuture(new IllegalArgumentException("profileId or address is required"));
        }
        String id = "obs_" + EventIds.random();
        Observation observation = Observation.newBuilder().setId(id).setContent(content)
                .setCreatedAtMillis(System.currentTimeMillis()).build();
        Promise<String> done = Promise.promise();
        AtomicInteger pending = new AtomicInteger(subjects.size());
        for (String subject : subjects) {
            ProducerRecord<String, Observation> record = new ProducerRecord<>(MemoryService.OBSERVATIONS_TOPIC, subject, observation);
            if (conversationId != null) {
                record.headers().add("conversationId", conversationId.getBytes(StandardCharsets.UTF_8));
            }
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    done.tryFail(error);
                } else if (pending.decrementAndGet() == 0) {
                    done.tryComplete(id);
                }
            });
        }
        return done.future();
    }

    KafkaStreams.State state() {
        return streams == null ? null : streams.state();
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
        if (streams != null) {
            // leave the group: whoever takes over (a restarted or another instance) gets the partitions at once
            streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                    .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
            streams = null;
        }
    }
}
