package io.switchboard.kafka.ordered;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of a {@link KeyOrderedConsumer}; start from {@link #defaults()} and change what you need.
 *
 * @param name              used in the thread name, logs and the metrics' {@code consumer} tag
 * @param maxInFlight       records polled and not yet done (running or waiting behind their key), at most; the
 *                          consumer pauses its partitions when a poll (a quarter of this, at most 500) might not fit
 *                          under it
 * @param pollTimeout       how long one poll waits for records
 * @param commitInterval    how often completed offsets are committed (asynchronously) while running
 * @param revokeTimeout     how long a revocation waits for the running records of the revoked partitions before it
 *                          abandons them (the new owner processes them again)
 * @param meterRegistry     where metrics go; null for none
 */
public record KeyOrderedOptions(String name, int maxInFlight, Duration pollTimeout, Duration commitInterval,
                                Duration revokeTimeout, MeterRegistry meterRegistry) {

    public KeyOrderedOptions {
        Objects.requireNonNull(name, "name");
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1");
        }
        Objects.requireNonNull(pollTimeout, "pollTimeout");
        Objects.requireNonNull(commitInterval, "commitInterval");
        Objects.requireNonNull(revokeTimeout, "revokeTimeout");
    }

    /** 1000 in flight, 50 ms polls, commits every 200 ms, 10 s for a revocation, no metrics. */
    public static KeyOrderedOptions defaults() {
        return new KeyOrderedOptions("key-ordered", 1000, Duration.ofMillis(50), Duration.ofMillis(200),
                Duration.ofSeconds(10), null);
    }

    public KeyOrderedOptions withName(String value) {
        return new KeyOrderedOptions(value, maxInFlight, pollTimeout, commitInterval, revokeTimeout, meterRegistry);
    }

    public KeyOrderedOptions withMaxInFlight(int value) {
        return new KeyOrderedOptions(name, value, pollTimeout, commitInterval, revokeTimeout, meterRegistry);
    }

    public KeyOrderedOptions withPollTimeout(Duration value) {
        return new KeyOrderedOptions(name, maxInFlight, value, commitInterval, revokeTimeout, meterRegistry);
    }

    public KeyOrderedOptions withCommitInterval(Duration value) {
        return new KeyOrderedOptions(name, maxInFlight, pollTimeout, value, revokeTimeout, meterRegistry);
    }

    public KeyOrderedOptions withRevokeTimeout(Duration value) {
        return new KeyOrderedOptions(name, maxInFlight, pollTimeout, commitInterval, value, meterRegistry);
    }

    public KeyOrderedOptions withMeterRegistry(MeterRegistry value) {
        return new KeyOrderedOptions(name, maxInFlight, pollTimeout, commitInterval, revokeTimeout, value);
    }
}
