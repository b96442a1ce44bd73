package io.switchboard.kafka.ordered;

import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What a {@link KeyOrderedConsumer} does with its records.
 *
 * @param <V> the record value type
 */
@FunctionalInterface
public interface RecordHandler<V> {

    /**
     * Starts processing one record and returns at once; the returned stage completes when the record's effect is
     * durable. The next record of the same key is handed over only after that. Called on the consumer's poll thread
     * or on the thread that completed the previous stage of the key, so it must not block: run blocking work on an
     * executor of your own. A stage that completes exceptionally (or a thrown exception) is logged and counted and
     * the record counts as done: retries and dead letters are the handler's business.
     */
    CompletionStage<?> handle(ConsumerRecord<String, V> record);

    /**
     * Called on the poll thread for every record as soon as it is polled, in offset order, before any record of the
     * same poll is handed to {@link #handle}: lets a handler react to a record that will wait behind the in-flight
     * work of its key (for example, cancel that work). Must be quick. Default: nothing.
     */
    default void arrived(ConsumerRecord<String, V> record) {
    }

    /**
     * A record whose value could not be deserialized; it counts as done after this returns. Called on the poll
     * thread. Default: nothing (the consumer logs it).
     */
    default void undecodable(ConsumerRecord<String, byte[]> record, Exception error) {
    }
}
