package io.switchboard.outbound;

import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.switchboard.events.DeliveryEvent;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.kafka.ordered.KeyOrderedConsumer;
import io.switchboard.kafka.ordered.KeyOrderedOptions;
import io.switchboard.kafka.ordered.PartitionListener;
import io.switchboard.kafka.ordered.RecordHandler;
import io.switchboard.outbound.messaging.MessagingSender;
import io.switchboard.service.ManagedService;
import io.switchboard.topics.Topic;
import io.switchboard.tracing.Messaging;
import io.switchboard.tracing.Tracing;
import io.switchboard.twilio.TwilioApiMetrics;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound sender: consumes tac.outbound.v1 (consumer group {@code OUTBOUND_GROUP_ID}) and writes voice frames,
 * delivery events and dead letters.
 *
 * <p>It runs on the shared {@link KeyOrderedConsumer}: one poll thread owns the consumer, a conversation's records are
 * handled one after another and different conversations concurrently; voice is routed inline, messaging runs on a
 * worker pool. Records polled and not done are bounded by {@code OUTBOUND_MAX_IN_FLIGHT}: above it the consumer pauses
 * its partitions, so a slow Twilio makes the backlog wait in Kafka, not in memory (gauge
 * {@code switchboard.consumer.in.flight{consumer=outbound}}). Every {@code OUTBOUND_COMMIT_INTERVAL_MS} the
 * {@link DeliveryCommitter} writes, in one Kafka transaction on its own thread, the delivery events and dead letters
 * of the finished records plus the offsets that are now safe; the poll thread goes on polling meanwhile (a commit
 * takes several broker round trips, and voice frames routed on the poll thread must not wait for it). Only a
 * rebalance or a stop commits on the poll thread, for the partitions it gives up. Voice frames do not wait for that
 * transaction: they go out at once on a plain idempotent producer (a transaction commit costs several broker round
 * trips, tens of milliseconds under load, on the path a caller is listening to). Duplicates are dropped by the
 * {@link SentLedger}, rebuilt from tac.delivery.v1 when a partition is assigned; a frame re-sent after a crash
 * carries the same event id.
 */
public final class OutboundService implements ManagedService {
    private static final Logger log = LoggerFactory.getLogger(OutboundService.class);
    static final String CONSUMER_NAME = "outbound";
    private static final Duration REVOKE_WAIT = Duration.ofSeconds(10);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final OutboundConfig config;
    private final MeterRegistry meters;
    private volatile boolean running;
    private KeyOrderedConsumer<byte[]> consumer;
    private KafkaConsumer<String, byte[]> ledgerReader;
    private KafkaProducer<String, byte[]> producer;
    private KafkaProducer<String, byte[]> frameProducer;
    private DeliveryCommitter committer;
    private ExecutorService workers;
    private HttpClient http;
    private SentLedger ledger;
    private OutboundProcessor processor;

    private final Tracing tracing;

    public OutboundService(OutboundConfig config, MeterRegistry meters) {
        this(config, meters, Tracing.OFF);
    }

    /** With {@code process tac.outbound.v1}, Twilio CLIENT and {@code send tac.voice.egress.v1} spans. */
    public OutboundService(OutboundConfig config, MeterRegistry meters, Tracing tracing) {
        this.tracing = tracing;
        this.config = config;
        this.meters = meters;
    }

    @Override
    public String name() {
        return "outbound-sender";
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        KafkaClients clients = new KafkaClients(config.kafka());
        AtomicInteger threads = new AtomicInteger();
        workers = Executors.newFixedThreadPool(config.workerThreads(), r -> {
            Thread t = new Thread(r, "outbound-twilio-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        http = HttpClient.newBuilder().connectTimeout(config.httpTimeout()).build();
        MessagingSender messaging;
        try {
            // reads the Memory store of the Orchestrator configuration: a failure stops the start, naming it
            messaging = new MessagingSender(config, http, new TwilioApiMetrics(meters));
        } catch (RuntimeException e) {
            workers.shutdownNow();
            throw e;
        }
        log.info("HandoffData storeId: {}", messaging.memoryStoreId() == null ? "none (\"\")" : messaging.memoryStoreId());

        ledgerReader = new KafkaConsumer<>(clients.consumerConfig(null, "outbound-ledger-" + config.instanceId()),
                new StringDeserializer(), new ByteArrayDeserializer());
        producer = new KafkaProducer<>(clients.transactionalProducerConfig("outbound-" + config.instanceId(),
                "switchboard-outbound-" + config.instanceId()), new StringSerializer(), new ByteArraySerializer());
        producer.initTransactions();
        frameProducer = new KafkaProducer<>(clients.producerConfig("outbound-frames-" + config.instanceId()),
                new StringSerializer(), new ByteArraySerializer());
        committer = new DeliveryCommitter(producer, this::stopOnFatalCommit);

        ledger = new SentLedger(ledgerReader, clients.serdes().forType(DeliveryEvent.class).deserializer(),
                Topic.DELIVERY.topicName(), config.dedupWindow());
        processor = new OutboundProcessor(clients, messaging, ledger,
                new OutboundProcessor.Emitter() {
                    @Override
                    public void emit(int originPartition, ProducerRecord<String, byte[]> record) {
                        committer.emit(originPartition, record);
                    }

                    @Override
                    public void emitNow(ProducerRecord<String, byte[]> record) {
                        // under the current span: process tac.outbound.v1 of the reply this frame carries
                        Span span = tracing.send(Context.current(), record.topic(), record.key());
                        tracing.inject(Context.current(), span, record.headers());
                        frameProducer.send(record, (metadata, error) -> {
                            Messaging.acknowledged(span, metadata == null ? -1 : metadata.partition(),
                                    metadata == null ? -1 : metadata.offset(), error);
                            if (error != null) {
                                log.error("Voice frame for {} not written: {}", record.key(), error.toString());
                            }
                        });
                    }
                }, workers, new OutboundMetrics(meters), tracing, config.groupId());
        KeyOrderedOptions options = KeyOrderedOptions.defaults().withName(CONSUMER_NAME)
                .withMaxInFlight(config.maxInFlight())
                .withCommitInterval(config.commitInterval())
                .withRevokeTimeout(REVOKE_WAIT)
                .withMeterRegistry(meters);
        consumer = new KeyOrderedConsumer<>(clients.consumerConfig(config.groupId(), "outbound-" + config.instanceId()),
                new ByteArrayDeserializer(), List.of(Topic.OUTBOUND.topicName()), new Handler(), options, committer,
                new Partitions());
        running = true;
        consumer.start();
        log.info("Outbound sender started (group {}, instance {}, Twilio API {}, at most {} records in flight)",
                config.groupId(), config.instanceId(),
                config.twilio().apiBaseUrl() == null ? "twilio.com" : config.twilio().apiBaseUrl(),
                config.maxInFlight());
    }

    /** Waits until the consumer got its first partition assignment (handy in tests and `dev`). */
    public boolean awaitAssignment(Duration timeout) throws InterruptedException {
        KeyOrderedConsumer<byte[]> c = consumer;
        return c != null && c.awaitAssignment(timeout);
    }

    /** Records polled and not yet done: bounded by {@code OUTBOUND_MAX_IN_FLIGHT}. */
    int inFlight() {
        KeyOrderedConsumer<byte[]> c = consumer;
        return c == null ? 0 : c.inFlight();
    }

    /** The transactional producer was fenced (another instance took over) or cannot commit: stop consuming. */
    private void stopOnFatalCommit() {
        KeyOrderedConsumer<byte[]> c = consumer;
        if (c != null) {
            // not on the committer thread: closing waits for the poll thread, whose last commit needs no committer
            Thread stopper = new Thread(() -> c.close(CLOSE_WAIT), "outbound-stop");
            stopper.setDaemon(true);
            stopper.start();
        }
    }

    private final class Handler implements RecordHandler<byte[]> {
        @Override
        public CompletionStage<?> handle(ConsumerRecord<String, byte[]> record) {
            return processor.handle(record);
        }
    }

    /** Keeps the dedupe ledger and the committer's notion of owned partitions in step with the assignment. */
    private final class Partitions implements PartitionListener {
        @Override
        public void assigned(Collection<TopicPartition> partitions) {
            List<Integer> numbers = numbers(partitions);
            ledger.rebuild(numbers, Duration.ofSeconds(30));
            committer.owned(numbers);
            log.info("Outbound partitions assigned: {}", numbers);
        }

        @Override
        public void released(Collection<TopicPartition> partitions, boolean lost) {
            List<Integer> numbers = numbers(partitions);
            committer.released(numbers);
            ledger.forget(numbers);
        }

        private List<Integer> numbers(Collection<TopicPartition> partitions) {
            return partitions.stream().map(TopicPartition::partition).toList();
        }
    }

    @Override
    public void close() {
        KeyOrderedConsumer<byte[]> c;
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            c = consumer;
        }
        // the poll thread's last commit (records done, their outputs) runs inside close, on the transactional producer
        c.close(CLOSE_WAIT);
        committer.close();
        closeQuietly(ledgerReader);
        for (KafkaProducer<String, byte[]> p : List.of(frameProducer, producer)) {
            try {
                p.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                log.debug("Closing a producer", e);
            }
        }
        if (workers != null) {
            workers.shutdownNow();
        }
        log.info("Outbound sender stopped");
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            if (closeable != null) {
                closeable.close();
            }
        } catch (Exception e) {
            log.debug("Closing {}", closeable, e);
        }
    }
}
