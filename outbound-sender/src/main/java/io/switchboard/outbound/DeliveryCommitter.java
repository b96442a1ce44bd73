package io.switchboard.outbound;

import io.switchboard.kafka.ordered.OffsetCommitter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the outbound consumer's offsets in one Kafka transaction with the delivery events and dead letters the
 * records produced, so a committed offset always comes with its records and a record written is never lost to an
 * uncommitted offset (a re-processed record is dropped by the {@link SentLedger}).
 *
 * <p>The periodic commit runs on a thread of its own ({@code outbound-commit}): a transaction is several broker round
 * trips, and the consumer's poll thread routes voice frames meanwhile. The poll thread only hands over the latest safe
 * offsets (a newer hand-over replaces one not yet taken: offsets only grow). Commits before a revocation and at close
 * run on the poll thread; one lock orders them with the committer thread's. Records of partitions this instance no
 * longer owns are dropped, not written: their new owner processes the events again.
 */
final class DeliveryCommitter implements OffsetCommitter, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeliveryCommitter.class);
    private static final Duration IDLE_WAIT = Duration.ofMillis(200);

    private final Producer<String, byte[]> producer;
    private final Runnable onFenced;
    private final Queue<Emitted> emitted = new ConcurrentLinkedQueue<>();
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    /** Serialises transactions: the committer thread's and the poll thread's. */
    private final Object transactions = new Object();
    private final Object handOver = new Object();
    private Request pending;
    private volatile boolean running = true;
    private final Thread thread;

    private record Emitted(int originPartition, ProducerRecord<String, byte[]> record) {
    }

    private record Request(ConsumerGroupMetadata group, Map<TopicPartition, OffsetAndMetadata> offsets,
                           BiConsumer<Map<TopicPartition, OffsetAndMetadata>, Throwable> done) {
    }

    /**
     * @param producer a transactional producer, {@code initTransactions()} done
     * @param onFenced called (on the committer thread) when another instance with the same transactional id took over
     */
    DeliveryCommitter(Producer<String, byte[]> producer, Runnable onFenced) {
        this.producer = producer;
        this.onFenced = onFenced;
        this.thread = new Thread(this::commitLoop, "outbound-commit");
        thread.setDaemon(true);
        thread.start();
    }

    /** A record to write with the offset commit, caused by a record of {@code originPartition}. */
    void emit(int originPartition, ProducerRecord<String, byte[]> record) {
        emitted.add(new Emitted(originPartition, record));
    }

    void owned(Collection<Integer> partitions) {
        owned.addAll(partitions);
    }

    /** Stops writing the records of these partitions (waits for a transaction under way). */
    void released(Collection<Integer> partitions) {
        synchronized (transactions) {
            owned.removeAll(partitions);
        }
    }

    @Override
    public void commitAsync(Consumer<String, byte[]> consumer, ConsumerGroupMetadata group,
                            Map<TopicPartition, OffsetAndMetadata> offsets,
                            BiConsumer<Map<TopicPartition, OffsetAndMetadata>, Throwable> done) {
        synchronized (handOver) {
            pending = new Request(group, Map.copyOf(offsets), done);
            handOver.notifyAll();
        }
    }

    @Override
    public void commitSync(Consumer<String, byte[]> consumer, ConsumerGroupMetadata group,
                           Map<TopicPartition, OffsetAndMetadata> offsets) {
        KafkaException failure = write(group, offsets);
        if (failure != null) {
            throw failure;
        }
    }

    private void commitLoop() {
        try {
            while (running) {
                Request request;
                synchronized (handOver) {
                    if (pending == null) {
                        handOver.wait(IDLE_WAIT.toMillis());
                    }
                    request = pending;
                    pending = null;
                }
                if (request != null && running) { // after close the poll thread's final commit writes the rest
                    KafkaException failure = write(request.group(), request.offsets());
                    request.done().accept(request.offsets(), failure);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ProducerFencedException e) {
            log.error("Another outbound sender with the same instance id took over; stopping");
            running = false;
            onFenced.run();
        } catch (RuntimeException e) {
            log.error("Outbound sender commits failed; stopping", e);
            running = false;
            onFenced.run();
        }
    }

    /**
     * Writes the records emitted so far and {@code offsets} in one transaction. Returns the (retriable) failure, the
     * records put back for the next try; a fenced producer is thrown.
     */
    private KafkaException write(ConsumerGroupMetadata group, Map<TopicPartition, OffsetAndMetadata> offsets) {
        synchronized (transactions) {
            List<Emitted> records = drain();
            Map<TopicPartition, OffsetAndMetadata> safe = new HashMap<>(offsets);
            safe.keySet().removeIf(tp -> !owned.contains(tp.partition()));
            if (group == null) {
                safe.clear();
            }
            if (records.isEmpty() && safe.isEmpty()) {
                return null;
            }
            try {
                producer.beginTransaction();
                for (Emitted e : records) {
                    if (owned.contains(e.originPartition())) {
                        producer.send(e.record());
                    } else {
                        log.warn("Dropping output of outbound partition {} (no longer assigned): {}",
                                e.originPartition(), e.record().topic());
                    }
                }
                if (!safe.isEmpty()) {
                    producer.sendOffsetsToTransaction(safe, group);
                }
                producer.commitTransaction();
                return null;
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
                return e;
            }
        }
    }

    private List<Emitted> drain() {
        List<Emitted> out = new ArrayList<>();
        for (Emitted item; (item = emitted.poll()) != null; ) {
            out.add(item);
        }
        return out;
    }

    /** Stops the committer thread (not interrupted: that would break the producer mid-transaction). */
    @Override
    public void close() {
        running = false;
        synchronized (handOver) {
            handOver.notifyAll();
        }
        if (thread != Thread.currentThread()) {
            try {
                thread.join(Duration.ofSeconds(10).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
