package io.switchboard.router;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.switchboard.config.KafkaSettings;
import io.switchboard.events.DeadLetter;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.kafka.StreamsStartup;
import io.switchboard.serde.EventSerdes;
import io.switchboard.service.ManagedService;
import io.switchboard.service.Readiness;
import io.switchboard.tracing.Tracing;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The channel router as a service: a Kafka Streams application (exactly-once v2) from {@code tac.inbound.v1} to
 * {@code tac.agent.v1}. {@link #start()} returns once the application is RUNNING (state restored, partitions
 * assigned); {@link #close()} leaves the group cleanly.
 */
public final class RouterService implements ManagedService, Readiness {
    private static final Logger log = LoggerFactory.getLogger(RouterService.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final RouterConfig config;
    private final RouterMetrics metrics;
    private final EventSerdes serdes;
    private volatile KafkaStreams streams;
    private KafkaStreamsMetrics streamsMetrics;

    private final Tracing tracing;

    public RouterService(RouterConfig config, MeterRegistry registry) {
        this(config, registry, Tracing.OFF);
    }

    /** With {@code process tac.inbound.v1} spans continuing each turn's trace into tac.agent.v1. */
    public RouterService(RouterConfig config, MeterRegistry registry, Tracing tracing) {
        this.tracing = tracing;
        this.config = config;
        this.metrics = new RouterMetrics(registry);
        this.serdes = config.kafka().serdes();
    }

    @Override
    public String name() {
        return "channel-router";
    }

    @Override
    public synchronized void start() throws Exception {
        if (streams != null) {
            return;
        }
        Topology topology = RouterTopology.build(config, serdes, metrics, tracing);
        log.info("Router topology:\n{}", topology.describe());
        KafkaStreams created = new KafkaStreams(topology, streamsProperties(config, serdes, metrics));
        streams = created;
        // tagged with the group (the application id), as the dashboard shows consumer lag per group
        streamsMetrics = new KafkaStreamsMetrics(created, Tags.of("group", config.applicationId()));
        streamsMetrics.bindTo(metrics.registry());
        try {
            StreamsStartup.startAndAwaitRunning(created, "router", config.startTimeout(), "is Kafka at "
                    + config.kafka().bootstrapServers() + " reachable and are the topics provisioned?");
        } catch (IllegalStateException | InterruptedException e) {
            close();
            throw e;
        }
        log.info("Router running: application id {}, {} stream thread(s), commit interval {}, {}", config.applicationId(),
                config.streamThreads(), config.commitInterval(),
                config.memoryEnabled() ? "memory from " + config.memoryUrl() + " within " + config.memoryTimeout() : "memory off");
    }

    /** Ready while the Streams application is RUNNING (not while it rebalances or restores state). */
    @Override
    public Optional<String> notReady() {
        KafkaStreams current = streams;
        if (current == null) {
            return Optional.of("the router is not started");
        }
        KafkaStreams.State state = current.state();
        return state == KafkaStreams.State.RUNNING ? Optional.empty() : Optional.of("router streams are " + state);
    }

    @Override
    public synchronized void close() {
        if (streams == null) {
            return;
        }
        if (streamsMetrics != null) {
            streamsMetrics.close();
            streamsMetrics = null;
        }
        KafkaStreams closing = streams;
        streams = null;
        if (!closing.close(CloseOptions.timeout(CLOSE_TIMEOUT)
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP))) {
            log.warn("The router did not stop within {}", CLOSE_TIMEOUT);
        }
    }

    /** The Streams configuration; tests use it too so they run what production runs. */
    static Properties streamsProperties(RouterConfig config, EventSerdes serdes, RouterMetrics metrics) {
        KafkaSettings kafka = config.kafka();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // Exactly-once: state, offsets and routed events commit together. Agents read uncommitted (they need not wait
        // for the commit; replayed copies carry the same ids); read_committed readers wait up to the commit interval.
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitInterval().toMillis());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) kafka.topicReplication());
        props.put(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG), kafka.topicMinInSyncReplicas());
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        props.put(DeadLetterHandler.SERIALIZER_CONFIG, serdes.forType(DeadLetter.class).serializer());
        props.put(DeadLetterHandler.METRICS_CONFIG, metrics);
        // records go out at once; the commit flushes anyway
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), kafka.compressionType());
        // the first produce after a commit may meet the last transaction's markers still being written
        KafkaClients.TRANSACTIONAL_RETRY.forEach((name, value) -> props.put(StreamsConfig.producerPrefix(name), value));
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MIN_BYTES_CONFIG), 1);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // A stream thread commits (and so shows routed events to read_committed agents) only between polls, and
        // completed memory fetches are taken up by a punctuation, which also runs between polls: an idle poll must
        // not wait the default 100 ms, or an event routed just before a lull waits for the next one.
        long pollMs = Math.min(config.commitInterval().toMillis(),
                config.memoryEnabled() ? 2 * SessionProcessor.MEMORY_DRAIN_MS : 100);
        props.put(StreamsConfig.POLL_MS_CONFIG, Math.max(1, pollMs));
        return props;
    }
}
