package io.switchboard.outbound;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.events.DeliveryEvent;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.outbound.messaging.MessagingSender;
import io.switchboard.service.ManagedService;
import io.switchboard.topics.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
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
 * <p>One poll thread owns the consumer. Records are dispatched per conversation ({@link KeyedDispatcher}): voice is
 * routed inline, messaging runs on a worker pool. Every {@code OUTBOUND_COMMIT_INTERVAL_MS} a committer thread
 * writes, in one Kafka transaction, the delivery events and dead letters of the finished records plus the offsets
 * that are now safe ({@link OffsetTracker}); the poll thread goes on polling meanwhile (a commit takes several broker
 * round trips, and voice frames routed on the poll thread must not wait for it). Only a rebalance commits on the
 * poll thread, for the partitions it gives up. Voice frames do not wait for that transaction: they go out at once on a
 * plain idempotent producer (a transaction commit costs several broker round trips, tens of milliseconds under load,
 * on the path a caller is listening to). Duplicates are dropped by the {@link SentLedger}, rebuilt from
 * tac.delivery.v1 when a partition is assigned; a frame re-sent after a crash carries the same event id.
 */
public final class OutboundService implements ManagedService {
    private static final Logger log = LoggerFactory.getLogger(OutboundService.class);
    private static final Duration REVOKE_WAIT = Duration.ofSeconds(10);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final OutboundConfig config;
    private final MeterRegistry meters;
    private final Queue<Emitted> emitted = new ConcurrentLinkedQueue<>();
    private final Queue<Done> done = new ConcurrentLinkedQueue<>();
    private final OffsetTracker offsets = new OffsetTracker();
    private final KeyedDispatcher dispatcher = new KeyedDispatcher();
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    /** Serialises transactions: the committer's and those of a rebalance on the poll thread. */
    private final Object transactions = new Object();
    /** The consumer's group metadata as of its latest poll, for the committer (the consumer is the poll thread's). */
    private volatile ConsumerGroupMetadata groupMetadata;
    private final CountDownLatch assigned = new CountDownLatch(1);
    private volatile boolean running;
    private KafkaConsumer<String, byte[]> consumer;
    private KafkaConsumer<String, byte[]> ledgerReader;
    private KafkaProducer<String, byte[]> producer;
    private KafkaProducer<String, byte[]> frameProducer;
    private ExecutorService workers;
    private java.net.http.HttpClient http;
    private SentLedger ledger;
    private OutboundProcessor processor;
    private Thread pollThread;
    private Thread committer;

    private record Emitted(int originPartition, ProducerRecord<String, byte[]> record) {
    }

    private record Done(TopicPartition partition, long offset) {
    }

    public OutboundService(OutboundConfig config, MeterRegistry meters) {
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
        http = java.net.http.HttpClient.newBuilder().connectTimeout(config.httpTimeout()).build();
        MessagingSender messaging;
        try {
            // reads the Memory store of the Orchestrator configuration: a failure stops the start, naming it
            messaging = new MessagingSender(config, http, meters);
        } catch (RuntimeException e) {
            workers.shutdownNow();
            throw e;
        }
        log.info("HandoffData storeId: {}", messaging.memoryStoreId() == null ? "none (\"\")" : messaging.memoryStoreId());

        Map<String, Object> consumerConfig = clients.consumerConfig(config.groupId(), "outbound-" + config.instanceId());
        consumerConfig.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer());
        ledgerReader = new KafkaConsumer<>(clients.consumerConfig(null, "outbound-ledger-" + config.instanceId()),
                new StringDeserializer(), new ByteArrayDeserializer());
        Map<String, Object> producerConfig = clients.producerConfig("outbound-" + config.instanceId());
        producerConfig.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "switchboard-outbound-" + config.instanceId());
        producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer());
        producer.initTransactions();
        frameProducer = new KafkaProducer<>(clients.producerConfig("outbound-frames-" + config.instanceId()),
                new StringSerializer(), new ByteArraySerializer());

        ledger = new SentLedger(ledgerReader, clients.serdes().forType(DeliveryEvent.class).deserializer(),
                Topic.DELIVERY.topicName(), config.dedupWindow());
        processor = new OutboundProcessor(clients, messaging, ledger,
                new OutboundProcessor.Emitter() {
                    @Override
                    public void emit(int originPartition, ProducerRecord<String, byte[]> record) {
                        emitted.add(new Emitted(originPartition, record));
                    }

                    @Override
                    public void emitNow(ProducerRecord<String, byte[]> record) {
                        frameProducer.send(record, (metadata, error) -> {
                            if (error != null) {
                                log.error("Voice frame for {} not written: {}", record.key(), error.toString());
                            }
                        });
                    }
                }, workers, meters);
        consumer.subscribe(List.of(Topic.OUTBOUND.topicName()), new Rebalance());
        running = true;
        pollThread = new Thread(this::pollLoop, "outbound-poll");
        pollThread.start();
        committer = new Thread(this::commitLoop, "outbound-commit");
        committer.setDaemon(true);
        committer.start();
        log.info("Outbound sender started (group {}, instance {}, Twilio API {})", config.groupId(),
                config.instanceId(), config.apiBaseUrl() == null ? "twilio.com" : config.apiBaseUrl());
    }

    /** Waits until the consumer got its first partition assignment (handy in tests and `dev`). */
    public boolean awaitAssignment(Duration timeout) throws InterruptedException {
        return assigned.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void pollLoop() {
        try {
            while (running) {
                try {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        dispatch(record);
                    }
                    groupMetadata = consumer.groupMetadata();
                } catch (WakeupException e) {
                    if (!running) {
                        break;
                    }
                }
            }
            joinCommitter();
            groupMetadata = consumer.groupMetadata();
            long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
            while (offsets.busy() && System.nanoTime() < deadline) {
                writeBatch();
                Thread.sleep(5);
            }
            writeBatch();
        } catch (ProducerFencedException e) {
            log.error("Another outbound sender with instance id {} took over; stopping", config.instanceId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("Outbound sender poll loop failed; stopping", e);
        } finally {
            running = false;
            joinCommitter();
            closeQuietly(consumer);
            closeQuietly(ledgerReader);
            for (KafkaProducer<String, byte[]> p : List.of(frameProducer, producer)) {
                try {
                    p.close(Duration.ofSeconds(5));
                } catch (RuntimeException e) {
                    log.debug("Closing a producer", e);
                }
            }
        }
    }

    /** Commits what finished every {@code OUTBOUND_COMMIT_INTERVAL_MS}, beside the poll thread, until stopped. */
    private void commitLoop() {
        long interval = Math.max(1, config.commitInterval().toMillis());
        try {
            while (running) {
                Thread.sleep(interval);
                if (running) {
                    writeBatch(); // after a stop, the poll thread writes the last batches itself
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ProducerFencedException e) {
            log.error("Another outbound sender with instance id {} took over; stopping", config.instanceId());
            stopPolling();
        } catch (RuntimeException e) {
            log.error("Outbound sender commits failed; stopping", e);
            stopPolling();
        }
    }

    private void stopPolling() {
        running = false;
        consumer.wakeup();
    }

    private void joinCommitter() {
        Thread thread = committer;
        // not interrupted: an interrupt inside a transaction would break the producer the last commits need
        if (thread != null && thread != Thread.currentThread()) {
            try {
                thread.join(CLOSE_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void dispatch(ConsumerRecord<String, byte[]> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        offsets.started(partition, record.offset());
        String key = record.key() == null ? partition + "@" + record.offset() : record.key();
        dispatcher.submit(key, () -> processor.handle(record)).whenComplete((v, e) -> {
            if (e != null) {
                log.error("Outbound record {}@{} failed unexpectedly", partition, record.offset(), e);
            }
            done.add(new Done(partition, record.offset()));
        });
    }

    /**
     * Writes what finished records produced, and the safe offsets, in one transaction: on the committer, and on the
     * poll thread when a rebalance takes partitions away or the service stops.
     */
    private void writeBatch() {
        synchronized (transactions) {
            writeBatchLocked();
        }
    }

    private void writeBatchLocked() {
        ConsumerGroupMetadata group = groupMetadata;
        if (group == null) {
            return; // nothing polled yet, so nothing finished
        }
        List<Done> finished = drain(done);
        List<Emitted> records = drain(emitted);
        if (finished.isEmpty() && records.isEmpty()) {
            return;
        }
        try {
            producer.beginTransaction();
            for (Emitted e : records) {
                if (owned.contains(e.originPartition())) {
                    producer.send(e.record());
                } else {
                    log.warn("Dropping output of outbound partition {} (no longer assigned): {}", e.originPartition(),
                            e.record().topic());
                }
            }
            finished.forEach(d -> offsets.finished(d.partition(), d.offset()));
            Map<TopicPartition, OffsetAndMetadata> safe = offsets.committable();
            safe.keySet().removeIf(tp -> !owned.contains(tp.partition()));
            if (!safe.isEmpty()) {
                producer.sendOffsetsToTransaction(safe, group);
            }
            producer.commitTransaction();
        } catch (ProducerFencedException e) {
            throw e;
        } catch (KafkaException e) {
            log.warn("Outbound transaction failed, retrying it: {}", e.toString());
            try {
                producer.abortTransaction();
            } catch (KafkaException abort) {
                throw new IllegalStateException("Cannot abort the outbound transaction", abort);
            }
            records.forEach(emitted::add);
            finished.forEach(d -> offsets.started(d.partition(), d.offset()));
            finished.forEach(done::add);
        }
    }

    private static <T> List<T> drain(Queue<T> queue) {
        List<T> out = new ArrayList<>();
        for (T item; (item = queue.poll()) != null; ) {
            out.add(item);
        }
        return out;
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            groupMetadata = consumer.groupMetadata();
            long deadline = System.nanoTime() + REVOKE_WAIT.toNanos();
            while (offsets.busy(partitions) && System.nanoTime() < deadline) {
                writeBatch();
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            writeBatch();
            forget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            List<Integer> numbers = partitions.stream().map(TopicPartition::partition).toList();
            ledger.rebuild(numbers, Duration.ofSeconds(30));
            owned.addAll(numbers);
            groupMetadata = consumer.groupMetadata();
            assigned.countDown();
            if (!partitions.isEmpty()) {
                log.info("Outbound partitions assigned: {}", numbers);
            }
        }

        private void forget(Collection<TopicPartition> partitions) {
            List<Integer> numbers = partitions.stream().map(TopicPartition::partition).toList();
            synchronized (transactions) {
                owned.removeAll(numbers);
                offsets.forget(partitions);
            }
            ledger.forget(numbers);
        }
    }

    @Override
    public void close() {
        Thread thread;
        synchronized (this) {
            if (!running && pollThread == null) {
                return;
            }
            running = false;
            thread = pollThread;
            pollThread = null;
        }
        if (consumer != null) {
            consumer.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(CLOSE_WAIT.toMillis() + 10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
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
