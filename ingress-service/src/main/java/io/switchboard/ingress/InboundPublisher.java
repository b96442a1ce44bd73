package io.switchboard.ingress;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.events.InboundEvent;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.topics.Topic;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes inbound events to tac.inbound.v1 with one idempotent acks=all producer. {@code send} can block (metadata,
 * full buffer), so it runs on one dedicated thread: the event loop never waits, and events are handed to the producer
 * in the order they were published (so one socket's frames stay in order). The returned future completes on the
 * caller's context once Kafka acknowledged, or fails after the configured bound.
 *
 * <p>Webhooks go through {@link #publishWebhook}: at most {@code maxInFlight} of them wait for Kafka at once, and one
 * beyond that fails at once with {@link Saturated} (answered 503 + Retry-After; Twilio retries). So a flood while
 * Kafka is slow or away holds a bounded number of requests, records and timers instead of queueing without end.
 * Relay frames are not shed (a live call's frames have no retry); their rate is bounded by the calls' own pace.
 */
public final class InboundPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InboundPublisher.class);

    private final Vertx vertx;
    private final KafkaProducer<String, InboundEvent> producer;
    private final ExecutorService sender;
    private final Duration timeout;
    private final MeterRegistry meters;
    private final Map<String, Counter> produced = new ConcurrentHashMap<>();
    private final int maxInFlight;
    private final AtomicInteger webhooksInFlight = new AtomicInteger();
    private final AtomicBoolean shedding = new AtomicBoolean();
    private final Counter shed;

    /** A webhook refused because {@code maxInFlight} webhooks already wait for Kafka. */
    public static final class Saturated extends RuntimeException {
        Saturated(int maxInFlight) {
            super(maxInFlight + " webhooks already wait for Kafka's acknowledgement", null, false, false);
        }
    }

    public InboundPublisher(Vertx vertx, KafkaClients clients, String clientId, Duration timeout, MeterRegistry meters) {
        this(vertx, clients, clientId, timeout, Integer.MAX_VALUE, meters);
    }

    public InboundPublisher(Vertx vertx, KafkaClients clients, String clientId, Duration timeout, int maxInFlight,
            MeterRegistry meters) {
        this.vertx = vertx;
        this.timeout = timeout;
        this.meters = meters;
        this.maxInFlight = maxInFlight;
        meters.gauge("switchboard.ingress.webhooks.in.flight", webhooksInFlight);
        this.shed = Counter.builder("switchboard.ingress.webhooks.shed")
                .description("Webhooks answered 503 at once because INGRESS_MAX_IN_FLIGHT webhooks already waited for Kafka")
                .register(meters);
        Map<String, Object> config = clients.producerConfig(clientId);
        int bound = (int) timeout.toMillis();
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, bound);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(50, bound / 2));
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, bound);
        this.producer = new KafkaProducer<>(config, new StringSerializer(),
                clients.serdes().forType(InboundEvent.class).serializer());
        this.sender = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, clientId + "-send");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * {@link #publish} for a webhook: fails at once with {@link Saturated} when {@code maxInFlight} webhooks already
     * wait for Kafka.
     */
    public Future<Void> publishWebhook(InboundEvent event) {
        if (webhooksInFlight.incrementAndGet() > maxInFlight) {
            webhooksInFlight.decrementAndGet();
            shed.increment();
            if (shedding.compareAndSet(false, true)) {
                log.warn("{} webhooks wait for Kafka: answering 503 to more until some are acknowledged", maxInFlight);
            }
            return Future.failedFuture(new Saturated(maxInFlight));
        }
        shedding.set(false);
        return publish(event).andThen(done -> webhooksInFlight.decrementAndGet());
    }

    /** Produces the event keyed by its conversation id; succeeds once Kafka acknowledged it (acks=all). */
    public Future<Void> publish(InboundEvent event) {
        Context context = vertx.getOrCreateContext();
        Promise<Void> promise = Promise.promise();
        long timer = vertx.setTimer(timeout.toMillis(), id -> promise.tryFail(
                new TimeoutException("Kafka did not acknowledge within " + timeout.toMillis() + " ms")));
        ProducerRecord<String, InboundEvent> record =
                new ProducerRecord<>(Topic.INBOUND.topicName(), event.getConversationId(), event);
        String type = event.getPayload().getClass().getSimpleName();
        try {
            sender.execute(() -> {
                try {
                    producer.send(record, (metadata, error) -> context.runOnContext(v -> {
                        vertx.cancelTimer(timer);
                        if (error == null) {
                            counter(type).increment();
                            promise.tryComplete();
                        } else {
                            promise.tryFail(error);
                        }
                    }));
                } catch (RuntimeException e) {
                    context.runOnContext(v -> promise.tryFail(e));
                }
            });
        } catch (RejectedExecutionException e) {
            vertx.cancelTimer(timer);
            promise.tryFail(e);
        }
        return promise.future();
    }

    private Counter counter(String type) {
        return produced.computeIfAbsent(type, t -> Counter.builder("switchboard.ingress.events.produced")
                .description("Inbound events acknowledged by Kafka").tag("type", t).register(meters));
    }

    @Override
    public void close() {
        sender.shutdown();
        try {
            sender.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(2));
        log.debug("Inbound producer closed");
    }
}
