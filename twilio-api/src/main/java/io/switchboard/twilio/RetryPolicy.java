package io.switchboard.twilio;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter: the delay before retry n (1-based) is uniform in [0, min(max, initial·2ⁿ⁻¹)],
 * but never shorter than a Retry-After Twilio asked for (itself capped at {@code max}).
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

    public Duration delayBefore(int retry, Duration retryAfter) {
        long cap = Math.min(maxBackoff.toMillis(), initialBackoff.toMillis() << Math.min(retry - 1, 20));
        long jittered = cap <= 0 ? 0 : ThreadLocalRandom.current().nextLong(cap + 1);
        long floor = retryAfter == null ? 0 : Math.min(retryAfter.toMillis(), maxBackoff.toMillis());
        return Duration.ofMillis(Math.max(jittered, floor));
    }
}
