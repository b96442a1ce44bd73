package io.switchboard.memory.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.switchboard.config.KafkaSettings;
import io.switchboard.events.Memory;
import io.switchboard.events.Observation;
import io.switchboard.ids.EventIds;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.kafka.StreamsStartup;
import io.switchboard.memory.MemoryQuery;
import io.switchboard.serde.EmbeddedAvroSerde;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The local memory provider: a Kafka Streams application ({@link MemoryTopology}) that keeps, per customer, the
 * communication history of {@code tac.inbound.v1} and {@code tac.outbound.v1}, the observations agents write to
 * {@value MemoryService#OBSERVATIONS_TOPIC}, and Conversation Intelligence results of {@code tac.ci.v1} (when an
 * operator is configured); retrievals are answered by {@link MemoryQueries}. This class is the lifecycle: it creates
 * the observations topic, starts and closes the streams and the observations producer, and writes observations.
 * With several instances, Streams' {@code application.server} is {@code SWITCHBOARD_MEMORY_ADVERTISED_URL}.
 */
final class LocalMemory implements MemoryProvider {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final MemoryConfig config;
    private final KafkaClients clients;
    private final MemoryQueries queries;
    /** Set in {@link #start()}, which the HTTP API may already be serving before: null until then (503). */
    private volatile KafkaStreams streams;
    private KafkaProducer<String, Observation> producer;
    private final MeterRegistry registry;
    private KafkaStreamsMetrics streamsMetrics;

    /** {@code registry} gets the Streams application's client metrics (its consumer lag, tagged with the group). */
    LocalMemory(MemoryConfig config, KafkaClients clients, Vertx vertx, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
        this.clients = clients;
        this.queries = new MemoryQueries(vertx, WebClient.create(vertx), () -> streams, advertised(config),
                config.internalToken(), config.historyPerCustomer());
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

    /** The retrievals, and the internal API's per-subject answers ({@link MemoryService}). */
    MemoryQueries queries() {
        return queries;
    }

    @Override
    public void start() throws Exception {
        createObservationsTopic();
        producer = new KafkaProducer<>(clients.producerConfig(config.applicationId() + "-observations"),
                new StringSerializer(), new EmbeddedAvroSerde<>(Observation.class));
        streams = new KafkaStreams(MemoryTopology.build(config, clients.serdes()), streamsProperties(config));
        streamsMetrics = new KafkaStreamsMetrics(streams, Tags.of("group", config.applicationId()));
        streamsMetrics.bindTo(registry);
        StreamsStartup.startAndAwaitRunning(streams, "local memory", START_TIMEOUT,
                "is Kafka at " + config.kafka().bootstrapServers() + " reachable?");
    }

    /** Where the other instances reach this one, or null when it runs alone. */
    private static HostInfo advertised(MemoryConfig config) {
        URI url = config.advertisedUrl();
        return url == null ? null : new HostInfo(url.getHost(), url.getPort());
    }

    /** The Streams configuration; the topology test runs with it too. */
    static Properties streamsProperties(MemoryConfig config) {
        KafkaSettings kafka = config.kafka();
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) kafka.topicReplication());
        p.put(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG), kafka.topicMinInSyncReplicas());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE); // replays are de-duplicated by id
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        // a record this version cannot read is skipped with a log line: memory is best effort, the pipeline is not
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        HostInfo self = advertised(config);
        if (self != null) {
            p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
        }
        p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), kafka.compressionType());
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        // memory follows the conversation; it need not wake for every record of inbound, outbound and its repartition
        KafkaClients.BATCHED_FETCH.forEach((name, value) -> p.put(StreamsConfig.mainConsumerPrefix(name), value));
        return p;
    }

    private void createObservationsTopic() throws Exception {
        KafkaSettings kafka = config.kafka();
        try (Admin admin = clients.admin(config.applicationId() + "-admin")) {
            NewTopic topic = kafka.newTopic(MemoryService.OBSERVATIONS_TOPIC, kafka.topicPartitions(),
                    Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                            TopicConfig.RETENTION_MS_CONFIG, "-1"));
            admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    @Override
    public Future<Memory> retrieve(MemoryQuery query, Limits limits) {
        return queries.retrieve(query, limits);
    }

    /** Written once per subject of the customer, keyed by subject: the topology reads them back into the items. */
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

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
        if (streamsMetrics != null) {
            streamsMetrics.close();
            streamsMetrics = null;
        }
        if (streams != null) {
            // leave the group: whoever takes over (a restarted or another instance) gets the partitions at once
            streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                    .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
            streams = null;
        }
    }
}
