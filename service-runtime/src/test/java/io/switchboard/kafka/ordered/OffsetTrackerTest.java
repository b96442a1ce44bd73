package io.switchboard.kafka.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {

    @Test
    void nothingIsCommittableUntilTheFirstRecordIsDone() {
        OffsetTracker tracker = new OffsetTracker();
        tracker.add(10);
        tracker.add(11);
        tracker.complete(11);
        assertThat(tracker.committable()).isEqualTo(-1);
        tracker.complete(10);
        assertThat(tracker.committable()).isEqualTo(12);
        assertThat(tracker.outstanding()).isZero();
    }

    @Test
    void outOfOrderCompletionCommitsOnlyTheContiguousPrefix() {
        OffsetTracker tracker = new OffsetTracker();
        for (long o = 0; o < 6; o++) {
            tracker.add(o);
        }
        tracker.complete(0);
        assertThat(tracker.committable()).isEqualTo(1);
        tracker.complete(2);
        tracker.complete(3);
        tracker.complete(5);
        assertThat(tracker.committable()).as("1 is still running").isEqualTo(1);
        tracker.complete(1);
        assertThat(tracker.committable()).as("4 is still running").isEqualTo(4);
        assertThat(tracker.outstanding()).isEqualTo(2);
        tracker.complete(4);
        assertThat(tracker.committable()).isEqualTo(6);
    }

    @Test
    void gapsInOffsetsDoNotBlockTheCommit() {
        // transaction markers and compaction leave holes; only offsets the tracker saw count
        OffsetTracker tracker = new OffsetTracker();
        tracker.add(3);
        tracker.add(7);
        tracker.add(8);
        tracker.complete(7);
        tracker.complete(3);
        assertThat(tracker.committable()).isEqualTo(8);
        tracker.complete(8);
        assertThat(tracker.committable()).isEqualTo(9);
    }

    @Test
    void redeliveredAndUnknownOffsetsAreRefused() {
        OffsetTracker tracker = new OffsetTracker();
        assertThat(tracker.add(5)).isTrue();
        assertThat(tracker.add(5)).isFalse();
        assertThat(tracker.add(4)).isFalse();
        assertThat(tracker.complete(4)).isFalse();
        assertThat(tracker.complete(6)).isFalse();
        assertThat(tracker.complete(5)).isTrue();
        assertThat(tracker.complete(5)).as("twice").isFalse();
        assertThat(tracker.committable()).isEqualTo(6);
    }

    @Test
    void committableNeverPassesARecordThatIsNotDoneWhateverTheCompletionOrder() {
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            OffsetTracker tracker = new OffsetTracker();
            List<Long> offsets = new ArrayList<>();
            long offset = random.nextInt(5);
            for (int i = 0; i < 50; i++) {
                offsets.add(offset);
                tracker.add(offset);
                offset += 1 + random.nextInt(3);
            }
            List<Long> order = new ArrayList<>(offsets);
            Collections.shuffle(order, random);
            List<Long> done = new ArrayList<>();
            long previous = -1;
            for (long o : order) {
                tracker.complete(o);
                done.add(o);
                long committable = tracker.committable();
                assertThat(committable).as("monotonic").isGreaterThanOrEqualTo(previous);
                previous = committable;
                // every offset below the committable one is done; the first not-done offset bounds it
                long firstNotDone = offsets.stream().filter(x -> !done.contains(x)).findFirst().orElse(Long.MAX_VALUE);
                assertThat(committable).isLessThanOrEqualTo(firstNotDone);
                long highestDonePrefix = offsets.stream().takeWhile(done::contains).reduce((a, b) -> b).orElse(-2L);
                assertThat(committable).isEqualTo(highestDonePrefix + 1);
            }
            assertThat(tracker.committable()).isEqualTo(offsets.get(offsets.size() - 1) + 1);
        }
    }
}
