package io.switchboard.ingress;

import io.vertx.core.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At most {@code INGRESS_MAX_IN_FLIGHT} webhooks (of every route) wait for Kafka's acknowledgement at once; one
 * beyond that fails at once with {@link Saturated} (answered 503 + Retry-After; Twilio retries). So a flood while
 * Kafka is slow or away holds a bounded number of requests, records and timers instead of queueing without end.
 * Relay frames are not limited (a live call's frames have no retry); the calls' own pace bounds them.
 */
public final class WebhookLimit {
    private static final Logger log = LoggerFactory.getLogger(WebhookLimit.class);

    private final int maxInFlight;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean shedding = new AtomicBoolean();
    private final IngressMetrics metrics;

    public WebhookLimit(int maxInFlight, IngressMetrics metrics) {
        this.maxInFlight = maxInFlight;
        this.metrics = metrics;
        metrics.webhooksInFlight(inFlight);
    }

    /** A webhook refused because {@code maxInFlight} webhooks already wait for Kafka. */
    public static final class Saturated extends RuntimeException {
        Saturated(int maxInFlight) {
            super(maxInFlight + " webhooks already wait for Kafka's acknowledgement", null, false, false);
        }
    }

    /** Runs {@code publish} if there is room, counting it until its future completes; else fails with {@link Saturated}. */
    public Future<Void> admit(Supplier<Future<Void>> publish) {
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            metrics.webhookShed();
            if (shedding.compareAndSet(false, true)) {
                log.warn("{} webhooks wait for Kafka: answering 503 to more until some are acknowledged", maxInFlight);
            }
            return Future.failedFuture(new Saturated(maxInFlight));
        }
        shedding.set(false);
        return publish.get().andThen(done -> inFlight.decrementAndGet());
    }
}
