package io.switchboard.ingress.voice;

import java.time.Duration;

/**
 * When the orchestrated voice lookup tries again: {@code attempts} tries in all, the first at {@code setup}, then
 * after {@code initial}, doubling, capped at {@code max} (TAC: 10 tries, 250 ms, 1.5 s; about 10.75 s in all).
 */
public record LookupSchedule(int attempts, Duration initial, Duration max) {
    public LookupSchedule {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1");
        }
    }

    /** TAC's schedule. */
    public static LookupSchedule tac() {
        return new LookupSchedule(10, Duration.ofMillis(250), Duration.ofMillis(1_500));
    }

    /** The wait before try {@code attempt} (1-based; the first try does not wait). */
    public Duration delayBefore(int attempt) {
        if (attempt <= 1) {
            return Duration.ZERO;
        }
        long millis = initial.toMillis();
        for (int i = 2; i < attempt && millis < max.toMillis(); i++) {
            millis *= 2;
        }
        return Duration.ofMillis(Math.min(millis, max.toMillis()));
    }

    /** Whether another try follows try {@code attempt}. */
    public boolean hasAttemptAfter(int attempt) {
        return attempt < attempts;
    }

    /** How long a lookup that never finds its conversation takes, at most (without the HTTP calls themselves). */
    public Duration totalWait() {
        Duration total = Duration.ZERO;
        for (int attempt = 2; attempt <= attempts; attempt++) {
            total = total.plus(delayBefore(attempt));
        }
        return total;
    }
}
