package io.switchboard.kafka.ordered;

import java.util.Collection;
import org.apache.kafka.common.TopicPartition;

/**
 * Hears of partitions coming and going, on the consumer's poll thread, for per-partition state of the handler (a
 * dedupe ledger, say). Both are called from the rebalance listener: {@link #assigned} before any record of those
 * partitions is handed out, {@link #released} after a revocation's final commit or when partitions were lost.
 */
public interface PartitionListener {

    /** Partitions newly assigned; no record of them has been handed out yet. May block (it delays polling). */
    default void assigned(Collection<TopicPartition> partitions) {
    }

    /**
     * Partitions given up ({@code lost} false: revoked, what was done is committed) or lost ({@code lost} true: taken
     * away without a commit). Completions of records still running for them are ignored from now on.
     */
    default void released(Collection<TopicPartition> partitions, boolean lost) {
    }

    PartitionListener NONE = new PartitionListener() {
    };
}
