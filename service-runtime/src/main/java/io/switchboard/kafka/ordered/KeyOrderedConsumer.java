package io.switchboard.kafka.ordered;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka consumer that processes the records of one key strictly in order, one at a time, and different keys
 * concurrently, committing an offset only when every record before it in the partition is done.
 *
 * <p>How it works: one poll thread owns the {@link KafkaConsumer}. Each polled record joins the queue of its key; a
 * key with no running record hands its head to the {@link RecordHandler}, whose {@link CompletionStage} releases the
 * next record of the key when it completes. Per partition an {@link OffsetTracker} knows which offsets are done; the
 * poll thread commits, every {@link KeyOrderedOptions#commitInterval()}, one past the highest offset whose
 * predecessors are all done. Records polled and not done are bounded by {@link KeyOrderedOptions#maxInFlight()}: a
 * poll returns at most a quarter of it, and once the next poll might not fit the consumer pauses its partitions (it
 * keeps polling, so it stays in the group) until there is room for two. On a revocation (incremental under either group protocol: only the partitions that move) the records of those partitions that
 * wait behind their key are dropped, the running ones get up to {@link KeyOrderedOptions#revokeTimeout()} to finish,
 * what is done is committed synchronously, and anything still running is abandoned: its completion is ignored and the
 * new owner processes the record again (so effects must be idempotent, e.g. carry deterministic ids). A lost partition
 * is abandoned without a commit. {@link #close(Duration)} stops polling, drops the records that have not started,
 * waits for the running ones up to the timeout, commits and leaves the group.
 *
 * <p>Seams: an {@link OffsetCommitter} decides how offsets are committed (the consumer's own commits by default; the
 * outbound sender commits them in a Kafka transaction with the records they caused), and a {@link PartitionListener}
 * hears of partitions assigned (before their records are handed out) and released (after the revocation's commit).
 *
 * <p>Why not Confluent's parallel-consumer ({@code io.confluent.parallelconsumer:parallel-consumer-core}): the
 * Confluent-hosted project is no longer maintained, its releases build against kafka-clients 3.x and Kafka 4.x clients
 * are not supported (confluentinc/parallel-consumer#904; the maintained fork tracks 3.9 and defers 4.x), and it reads
 * private fields of the consumer's internal classes by reflection, which already broke with kafka-clients 3.9.1
 * (confluentinc/parallel-consumer#874). We run kafka-clients 4.3. What we need — key order, contiguous commits,
 * pause/resume backpressure, cooperative revocation — is a few hundred lines that we can test here.
 *
 * <p>Metrics (tag {@code consumer}=name): {@code switchboard.consumer.in.flight} (records polled, not done),
 * {@code switchboard.consumer.lag} (records behind the end of the assigned partitions; tagged with the group too),
 * {@code switchboard.consumer.records} (done), {@code switchboard.consumer.failures} (handler failed or value
 * undecodable), {@code switchboard.consumer.record.duration} (handler start to done).
 *
 * @param <V> the record value type; keys are strings (conversation ids)
 */
public final class KeyOrderedConsumer<V> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KeyOrderedConsumer.class);

    private final Supplier<Consumer<String, byte[]>> consumerFactory;
    private final Deserializer<V> deserializer;
    private final List<String> topics;
    private final RecordHandler<V> handler;
    private final KeyOrderedOptions options;
    private final OffsetCommitter committer;
    private final PartitionListener partitionListener;
    private final int maxPollRecords;

    /** Guards partitions, their key queues and trackers; waited on by revocation and close. */
    private final Object lock = new Object();
    private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong lag = new AtomicLong();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch assigned = new CountDownLatch(1);
    private final Counter processed;
    private final Counter failures;
    private final Timer duration;

    private volatile boolean closing;
    private volatile Duration closeTimeout = Duration.ofSeconds(30);
    private volatile Thread pollThread;
    private volatile Consumer<String, byte[]> consumer;
    private volatile Throwable failure;
    private boolean paused;
    private long lastCommit;

    /**
     * @param consumerConfig Kafka consumer settings (e.g. {@code KafkaClients.consumerConfig(group, client)}); auto
     *                       commit is forced off, {@code max.poll.records} is derived from maxInFlight, the
     *                       deserializers are the consumer's own
     * @param deserializer   value deserializer; a value that fails goes to {@link RecordHandler#undecodable}
     * @param topics         topics to subscribe to
     * @param handler        what to do with each record
     * @param options        tuning and metrics
     */
    public KeyOrderedConsumer(Map<String, Object> consumerConfig, Deserializer<V> deserializer,
                              Collection<String> topics, RecordHandler<V> handler, KeyOrderedOptions options) {
        this(consumerConfig, deserializer, topics, handler, options, OffsetCommitter.KAFKA, PartitionListener.NONE);
    }

    /**
     * As above, with the seams a service with its own commit protocol needs.
     *
     * @param committer         how done offsets are committed (e.g. in a Kafka transaction with the records they
     *                          caused); {@link OffsetCommitter#KAFKA} commits through the consumer
     * @param partitionListener told of partitions assigned and released, on the poll thread
     */
    public KeyOrderedConsumer(Map<String, Object> consumerConfig, Deserializer<V> deserializer,
                              Collection<String> topics, RecordHandler<V> handler, KeyOrderedOptions options,
                              OffsetCommitter committer, PartitionListener partitionListener) {
        this(kafkaConsumer(consumerConfig, maxPollRecords(options)), deserializer, topics, handler, options, committer,
                partitionListener, groupOf(consumerConfig, options));
    }

    KeyOrderedConsumer(Supplier<Consumer<String, byte[]>> consumerFactory, Deserializer<V> deserializer,
                       Collection<String> topics, RecordHandler<V> handler, KeyOrderedOptions options) {
        this(consumerFactory, deserializer, topics, handler, options, OffsetCommitter.KAFKA, PartitionListener.NONE);
    }

    KeyOrderedConsumer(Supplier<Consumer<String, byte[]>> consumerFactory, Deserializer<V> deserializer,
                       Collection<String> topics, RecordHandler<V> handler, KeyOrderedOptions options,
                       OffsetCommitter committer, PartitionListener partitionListener) {
        this(consumerFactory, deserializer, topics, handler, options, committer, partitionListener, options.name());
    }

    /** @param group the consumer group, the lag gauge's {@code group} tag (operators watch lag per group) */
    private KeyOrderedConsumer(Supplier<Consumer<String, byte[]>> consumerFactory, Deserializer<V> deserializer,
                       Collection<String> topics, RecordHandler<V> handler, KeyOrderedOptions options,
                       OffsetCommitter committer, PartitionListener partitionListener, String group) {
        this.committer = Objects.requireNonNull(committer, "committer");
        this.partitionListener = Objects.requireNonNull(partitionListener, "partitionListener");
        this.consumerFactory = consumerFactory;
        this.deserializer = Objects.requireNonNull(deserializer, "deserializer");
        this.topics = List.copyOf(topics);
        this.handler = Objects.requireNonNull(handler, "handler");
        this.options = Objects.requireNonNull(options, "options");
        this.maxPollRecords = maxPollRecords(options);
        MeterRegistry registry = options.meterRegistry();
        if (registry != null) {
            Gauge.builder("switchboard.consumer.in.flight", inFlight, AtomicInteger::get)
                    .description("Records polled and not yet done").tag("consumer", options.name()).register(registry);
            Gauge.builder("switchboard.consumer.lag", lag, AtomicLong::get)
                    .description("Records behind the end of the assigned partitions").tag("consumer", options.name())
                    .tag("group", group).register(registry);
            processed = Counter.builder("switchboard.consumer.records").tag("consumer", options.name()).register(registry);
            failures = Counter.builder("switchboard.consumer.failures").tag("consumer", options.name()).register(registry);
            duration = Timer.builder("switchboard.consumer.record.duration").tag("consumer", options.name())
                    .register(registry);
        } else {
            processed = null;
            failures = null;
            duration = null;
        }
    }

    /** The consumer's group.id; its name where it has none. */
    private static String groupOf(Map<String, Object> consumerConfig, KeyOrderedOptions options) {
        Object group = consumerConfig.get(ConsumerConfig.GROUP_ID_CONFIG);
        return group == null ? options.name() : group.toString();
    }

    /**
     * A quarter of the bound (at most 500): the consumer polls while a whole poll still fits under the bound, so up to
     * the full bound can be in flight, and resumes with room for two polls, so pause and resume do not alternate.
     */
    private static int maxPollRecords(KeyOrderedOptions options) {
        return Math.max(1, Math.min(500, options.maxInFlight() / 4));
    }

    private static Supplier<Consumer<String, byte[]>> kafkaConsumer(Map<String, Object> config, int maxPollRecords) {
        Map<String, Object> copy = new HashMap<>(config);
        copy.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        copy.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        return () -> new KafkaConsumer<>(copy, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Starts the poll thread and returns; records flow once the group assigns partitions. */
    public synchronized void start() {
        if (pollThread != null) {
            throw new IllegalStateException(options.name() + " already started");
        }
        Thread thread = new Thread(this::run, options.name() + "-poll");
        thread.setDaemon(false);
        pollThread = thread;
        thread.start();
    }

    /** Waits until the group has assigned this consumer its first partitions (or no partition, after a rebalance). */
    public boolean awaitAssignment(Duration timeout) throws InterruptedException {
        return assigned.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The partitions this consumer owns now (a snapshot). */
    public Set<TopicPartition> assignment() {
        synchronized (lock) {
            return Set.copyOf(partitions.keySet());
        }
    }

    /** Records polled and not yet done. */
    public int inFlight() {
        return inFlight.get();
    }

    /** The error that stopped the poll thread, or null. */
    public Throwable failure() {
        return failure;
    }

    /**
     * Stops polling, lets the running records finish for up to {@code timeout} (records not started are handed back
     * to the group), commits what is done and leaves the group. Safe to call twice.
     */
    public void close(Duration timeout) {
        Thread thread = pollThread;
        if (thread == null) {
            return;
        }
        closeTimeout = timeout;
        closing = true;
        Consumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            if (!stopped.await(timeout.toMillis() + 10_000, TimeUnit.MILLISECONDS)) {
                log.warn("{}: the poll thread did not stop in time", options.name());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    // ---- poll thread -----------------------------------------------------------------------------------------

    private void run() {
        try (Consumer<String, byte[]> c = consumerFactory.get()) {
            consumer = c;
            c.subscribe(topics, new Rebalance());
            while (!closing) {
                ConsumerRecords<String, byte[]> records;
                try {
                    records = c.poll(options.pollTimeout());
                } catch (WakeupException e) {
                    continue;
                }
                dispatch(records);
                applyBackpressure();
                commitIfDue(false);
                measureLag();
            }
            shutdown(c);
        } catch (Throwable e) {
            failure = e;
            log.error("{}: the consumer stopped on an error", options.name(), e);
        } finally {
            stopped.countDown();
            assigned.countDown();
        }
    }

    private void dispatch(ConsumerRecords<String, byte[]> records) {
        if (records.isEmpty()) {
            return;
        }
        List<ConsumerRecord<String, V>> decoded = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> raw : records) {
            V value;
            try {
                value = deserializer.deserialize(raw.topic(), raw.headers(), raw.value());
            } catch (RuntimeException e) {
                undecodable(raw, e);
                continue;
            }
            ConsumerRecord<String, V> record = new ConsumerRecord<>(raw.topic(), raw.partition(), raw.offset(),
                    raw.timestamp(), raw.timestampType(), raw.serializedKeySize(), raw.serializedValueSize(),
                    raw.key(), value, raw.headers(), raw.leaderEpoch());
            try {
                handler.arrived(record);
            } catch (RuntimeException e) {
                log.warn("{}: arrival hook failed for {}-{}@{}", options.name(), raw.topic(), raw.partition(),
                        raw.offset(), e);
            }
            decoded.add(record);
        }
        List<Start> starts = new ArrayList<>();
        synchronized (lock) {
            for (ConsumerRecord<String, V> record : decoded) {
                PartitionState state = partitions.get(new TopicPartition(record.topic(), record.partition()));
                if (state == null || state.revoking || !state.tracker.add(record.offset())) {
                    continue;
                }
                inFlight.incrementAndGet();
                KeyQueue queue = state.keys.computeIfAbsent(record.key() == null ? "" : record.key(),
                        k -> new KeyQueue());
                if (queue.running) {
                    queue.waiting.addLast(record);
                } else {
                    queue.running = true;
                    state.running++;
                    starts.add(new Start(state, queue, record));
                }
            }
        }
        for (Start start : starts) {
            start(start.state, start.queue, start.record);
        }
    }

    private void undecodable(ConsumerRecord<String, byte[]> raw, RuntimeException error) {
        log.error("{}: cannot decode {}-{}@{}: {}", options.name(), raw.topic(), raw.partition(), raw.offset(),
                error.toString());
        if (failures != null) {
            failures.increment();
        }
        try {
            handler.undecodable(raw, error);
        } catch (RuntimeException e) {
            log.warn("{}: undecodable hook failed", options.name(), e);
        }
        synchronized (lock) {
            PartitionState state = partitions.get(new TopicPartition(raw.topic(), raw.partition()));
            if (state != null && !state.revoking && state.tracker.add(raw.offset())) {
                state.tracker.complete(raw.offset());
            }
        }
    }

    private void applyBackpressure() {
        Consumer<String, byte[]> c = consumer;
        int now = inFlight.get();
        if (!paused && now > options.maxInFlight() - maxPollRecords) {
            c.pause(c.assignment());
            paused = true;
            log.debug("{}: paused at {} in flight", options.name(), now);
        } else if (paused && now <= Math.max(0, options.maxInFlight() - 2 * maxPollRecords)) {
            c.resume(c.assignment());
            paused = false;
            log.debug("{}: resumed at {} in flight", options.name(), now);
        }
    }

    private void commitIfDue(boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastCommit < options.commitInterval().toNanos()) {
            return;
        }
        lastCommit = now;
        Map<TopicPartition, OffsetAndMetadata> offsets = committable(null);
        committer.commitAsync(consumer, groupMetadata(), offsets, (committed, error) -> {
            if (error != null) {
                log.warn("{}: commit failed (retried with the next one): {}", options.name(), error.toString());
                return;
            }
            markCommitted(committed);
        });
    }

    private void markCommitted(Map<TopicPartition, OffsetAndMetadata> committed) {
        synchronized (lock) {
            committed.forEach((tp, offset) -> {
                PartitionState state = partitions.get(tp);
                if (state != null) {
                    state.committed = Math.max(state.committed, offset.offset());
                }
            });
        }
    }

    /** The group's generation for transactional commits; null when the consumer has none (no group id). */
    private ConsumerGroupMetadata groupMetadata() {
        try {
            return consumer.groupMetadata();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Offsets worth committing, of the given partitions (null: all). */
    private Map<TopicPartition, OffsetAndMetadata> committable(Collection<TopicPartition> only) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        synchronized (lock) {
            partitions.forEach((tp, state) -> {
                long next = state.tracker.committable();
                if ((only == null || only.contains(tp)) && next > state.committed) {
                    offsets.put(tp, new OffsetAndMetadata(next));
                }
            });
        }
        return offsets;
    }

    private void commitSync(Collection<TopicPartition> only) {
        Map<TopicPartition, OffsetAndMetadata> offsets = committable(only);
        try {
            committer.commitSync(consumer, groupMetadata(), offsets);
            markCommitted(offsets);
            log.debug("{}: committed {}", options.name(), offsets);
        } catch (RuntimeException e) {
            log.warn("{}: commit of {} failed: {}", options.name(), offsets, e.toString());
        }
    }

    private void measureLag() {
        long total = 0;
        try {
            for (TopicPartition tp : consumer.assignment()) {
                OptionalLong partitionLag = consumer.currentLag(tp);
                if (partitionLag.isPresent()) {
                    total += partitionLag.getAsLong();
                }
            }
            lag.set(total);
        } catch (RuntimeException e) {
            log.debug("{}: lag unknown: {}", options.name(), e.toString());
        }
    }

    private void shutdown(Consumer<String, byte[]> c) throws InterruptedException {
        Set<TopicPartition> all;
        synchronized (lock) {
            all = new HashSet<>(partitions.keySet());
        }
        log.info("{}: closing; waiting up to {} for running records", options.name(), closeTimeout);
        drain(all, closeTimeout);
        commitSync(all);
        synchronized (lock) {
            partitions.clear();
        }
        c.unsubscribe();
    }

    /** Stops starting records of these partitions and waits (bounded) for their running ones. */
    private void drain(Collection<TopicPartition> revoked, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            for (TopicPartition tp : revoked) {
                PartitionState state = partitions.get(tp);
                if (state == null) {
                    continue;
                }
                state.revoking = true;
                for (KeyQueue queue : state.keys.values()) {
                    inFlight.addAndGet(-queue.waiting.size());
                    queue.waiting.clear();
                }
            }
            while (running(revoked) > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    log.warn("{}: abandoning {} running record(s) of {}; the next owner processes them again",
                            options.name(), running(revoked), revoked);
                    break;
                }
                lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    private int running(Collection<TopicPartition> of) {
        int n = 0;
        for (TopicPartition tp : of) {
            PartitionState state = partitions.get(tp);
            n += state == null ? 0 : state.running;
        }
        return n;
    }

    // ---- any thread ------------------------------------------------------------------------------------------

    private void start(PartitionState state, KeyQueue queue, ConsumerRecord<String, V> record) {
        long startedAt = System.nanoTime();
        CompletionStage<?> stage;
        try {
            stage = handler.handle(record);
            if (stage == null) {
                stage = CompletableFuture.completedFuture(null);
            }
        } catch (RuntimeException | Error e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((result, error) -> done(state, queue, record, startedAt, error));
    }

    private void done(PartitionState state, KeyQueue queue, ConsumerRecord<String, V> record, long startedAt,
                      Throwable error) {
        if (error != null) {
            log.error("{}: handler failed for key {} at {}-{}@{}", options.name(), record.key(), record.topic(),
                    record.partition(), record.offset(), error);
            if (failures != null) {
                failures.increment();
            }
        }
        if (duration != null) {
            duration.record(System.nanoTime() - startedAt, TimeUnit.NANOSECONDS);
            processed.increment();
        }
        ConsumerRecord<String, V> next;
        synchronized (lock) {
            inFlight.decrementAndGet();
            state.running--;
            if (state.abandoned) {
                return;
            }
            state.tracker.complete(record.offset());
            next = queue.waiting.pollFirst();
            if (next == null) {
                queue.running = false;
                state.keys.remove(record.key() == null ? "" : record.key(), queue);
            } else {
                state.running++;
            }
            lock.notifyAll();
        }
        if (next != null) {
            start(state, queue, next);
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            if (revoked.isEmpty()) {
                return;
            }
            log.info("{}: partitions revoked: {}", options.name(), revoked);
            try {
                drain(revoked, options.revokeTimeout());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            commitSync(revoked);
            forget(revoked);
            released(revoked, false);
        }

        private void released(Collection<TopicPartition> gone, boolean lost) {
            try {
                partitionListener.released(gone, lost);
            } catch (RuntimeException e) {
                log.warn("{}: partition listener failed on release of {}", options.name(), gone, e);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            log.warn("{}: partitions lost, in-flight work abandoned: {}", options.name(), lost);
            synchronized (lock) {
                for (TopicPartition tp : lost) {
                    PartitionState state = partitions.get(tp);
                    if (state != null) {
                        state.keys.values().forEach(q -> inFlight.addAndGet(-q.waiting.size()));
                    }
                }
            }
            forget(lost);
            released(lost, true);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> newlyAssigned) {
            log.info("{}: partitions assigned: {}", options.name(), newlyAssigned);
            synchronized (lock) {
                for (TopicPartition tp : newlyAssigned) {
                    partitions.put(tp, new PartitionState());
                }
            }
            if (paused && !newlyAssigned.isEmpty()) {
                consumer.pause(newlyAssigned);
            }
            if (!newlyAssigned.isEmpty()) {
                // a failure here must not hand out records the handler is not ready for: it stops the consumer
                partitionListener.assigned(newlyAssigned);
            }
            assigned.countDown();
        }

        private void forget(Collection<TopicPartition> gone) {
            synchronized (lock) {
                for (TopicPartition tp : gone) {
                    PartitionState state = partitions.remove(tp);
                    if (state != null) {
                        state.abandoned = true;
                        state.keys.clear();
                    }
                }
                lock.notifyAll();
            }
        }
    }

    private final class PartitionState {
        final OffsetTracker tracker = new OffsetTracker();
        final Map<String, KeyQueue> keys = new HashMap<>();
        int running;
        long committed = -1;
        boolean revoking;
        boolean abandoned;
    }

    private final class KeyQueue {
        final ArrayDeque<ConsumerRecord<String, V>> waiting = new ArrayDeque<>();
        boolean running;
    }

    private final class Start {
        final PartitionState state;
        final KeyQueue queue;
        final ConsumerRecord<String, V> record;

        Start(PartitionState state, KeyQueue queue, ConsumerRecord<String, V> record) {
            this.state = state;
            this.queue = queue;
            this.record = record;
        }
    }
}
