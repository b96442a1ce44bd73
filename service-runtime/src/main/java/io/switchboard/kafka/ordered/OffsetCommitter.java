package io.switchboard.kafka.ordered;

import java.time.Duration;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How a {@link KeyOrderedConsumer} commits the offsets whose records are all done. The default ({@link #KAFKA})
 * commits through the consumer itself; a service that writes records together with its offsets (Kafka transactions)
 * plugs in its own. Both methods are called on the consumer's poll thread, which owns {@code consumer}: an
 * implementation may use the consumer only inside the call.
 */
public interface OffsetCommitter {

    /**
     * Called every {@link KeyOrderedOptions#commitInterval()}, also with no new offsets (an implementation may have
     * records of its own to flush). Must not block the poll thread for long; report the outcome through {@code done}
     * (offsets committed, or the error), on any thread, or never for an empty map. A failed commit is retried with
     * the next one.
     */
    void commitAsync(Consumer<String, byte[]> consumer, ConsumerGroupMetadata group,
                     Map<TopicPartition, OffsetAndMetadata> offsets,
                     BiConsumer<Map<TopicPartition, OffsetAndMetadata>, Throwable> done);

    /**
     * Commits before partitions are revoked and at close: blocks until the offsets are committed (returning normally)
     * or the commit failed (throwing). Called with an empty map too, to let an implementation flush.
     */
    void commitSync(Consumer<String, byte[]> consumer, ConsumerGroupMetadata group,
                    Map<TopicPartition, OffsetAndMetadata> offsets);

    /** Commits through the consumer (the group coordinator), skipping empty commits. */
    OffsetCommitter KAFKA = new OffsetCommitter() {
        @Override
        public void commitAsync(Consumer<String, byte[]> consumer, ConsumerGroupMetadata group,
                                Map<TopicPartition, OffsetAndMetadata> offsets,
                                BiConsumer<Map<TopicPartition, OffsetAndMetadata>, Throwable> done) {
            if (!offsets.isEmpty()) {
                consumer.commitAsync(offsets, (committed, error) -> done.accept(offsets, error));
            }
        }

        @Override
        public void commitSync(Consumer<String, byte[]> consumer, ConsumerGroupMetadata group,
                               Map<TopicPartition, OffsetAndMetadata> offsets) {
            if (!offsets.isEmpty()) {
                consumer.commitSync(offsets, Duration.ofSeconds(10));
            }
        }
    };
}
