package io.switchboard.twilio;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repeats a blocking Twilio call by the {@link RetryPolicy} while the failure is retryable for that call
 * (see {@link TwilioCallException#retryable(boolean)}). Sleeps between attempts: run it on a worker thread.
 */
public final class Retrier {
    private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("switchboard.attempt");
    private static final AttributeKey<String> STATUS = AttributeKey.stringKey("switchboard.retry.status");

    private static final Logger log = LoggerFactory.getLogger(Retrier.class);

    private final RetryPolicy policy;
    private final TwilioApiMetrics metrics;

    public Retrier(RetryPolicy policy, TwilioApiMetrics metrics) {
        this.policy = policy;
        this.metrics = metrics;
    }

    /** A call's result and how many attempts it took. */
    public record Attempted<T>(T value, int attempts) {
    }

    /** Thrown when the call failed for good; carries the last failure and the attempts made. */
    public static final class Exhausted extends RuntimeException {
        private final TwilioCallException last;
        private final int attempts;

        public Exhausted(TwilioCallException last, int attempts) {
            super(last.getMessage(), last);
            this.last = last;
            this.attempts = attempts;
        }

        public TwilioCallException last() {
            return last;
        }

        public int attempts() {
            return attempts;
        }
    }

    /**
     * Runs {@code call} (which throws {@link TwilioCallException} on failure) until it succeeds or may not be repeated.
     *
     * @param api        metric tag naming the API
     * @param idempotent whether repeating after an ambiguous failure is safe (GET/PUT: yes; a message POST: no)
     */
    public <T> Attempted<T> call(String api, boolean idempotent, Supplier<T> call) {
        int attempt = 0;
        while (true) {
            attempt++;
            try {
                return new Attempted<>(call.get(), attempt);
            } catch (TwilioCallException e) {
                if (!e.retryable(idempotent) || attempt >= policy.maxAttempts()) {
                    throw new Exhausted(e, attempt);
                }
                Duration delay = policy.delayBefore(attempt, e.retryAfter());
                metrics.retry(api, e.httpStatus() == null ? "io" : e.httpStatus().toString());
                // an event on the caller's span (outbound-sender's Twilio CLIENT span), if one is current
                Span.current().addEvent("retry", Attributes.of(ATTEMPT, (long) attempt, STATUS,
                        e.httpStatus() == null ? "io" : e.httpStatus().toString()));
                log.info("Twilio {} call failed ({}, status {}), retry {} in {} ms", api, e.getMessage(),
                        e.httpStatus(), attempt, delay.toMillis());
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new Exhausted(e, attempt);
                }
            }
        }
    }
}
