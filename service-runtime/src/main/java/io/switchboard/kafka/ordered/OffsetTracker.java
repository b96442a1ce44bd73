package io.switchboard.kafka.ordered;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * The offsets of one partition that were handed out and which of them are done. Records arrive in offset order and
 * complete in any order; {@link #committable()} is the offset to commit: one past the highest offset whose every
 * predecessor (that this tracker saw) is done. Not thread-safe: the owner guards it.
 */
final class OffsetTracker {
    private final ArrayDeque<Long> pending = new ArrayDeque<>();
    private final Set<Long> done = new HashSet<>();
    private long lastAdded = -1;
    private long committable = -1;

    /**
     * Starts tracking {@code offset}. Offsets must grow; an offset not above the last one added (a re-delivery) is
     * refused and the caller must not process it again.
     */
    boolean add(long offset) {
        if (offset <= lastAdded) {
            return false;
        }
        lastAdded = offset;
        pending.addLast(offset);
        return true;
    }

    /** Marks {@code offset} done; returns false for an offset this tracker is not waiting for. */
    boolean complete(long offset) {
        if (pending.isEmpty() || offset < pending.peekFirst() || offset > lastAdded || !done.add(offset)) {
            return false;
        }
        while (!pending.isEmpty() && done.remove(pending.peekFirst())) {
            committable = pending.pollFirst() + 1;
        }
        return true;
    }

    /** One past the highest offset whose predecessors are all done, or -1 when no record is done yet. */
    long committable() {
        return committable;
    }

    /** Records added and not yet part of the committable prefix (done out of order or still running). */
    int outstanding() {
        return pending.size();
    }
}
