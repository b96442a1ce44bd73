package io.switchboard.ingress;

import io.opentelemetry.api.trace.Span;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.topics.Topic;
import io.switchboard.tracing.Messaging;
import io.switchboard.tracing.Tracing;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes events to one topic (tac.inbound.v1, tac.ci.v1) with one idempotent acks=all producer. {@code send} can block (metadata,
 * full buffer), so it runs on one dedicated thread: the event loop never waits, and events are handed to the producer
 * in the order they were published (so one socket's frames stay in order). The returned future completes on the
 * caller's context once Kafka acknowledged, or fails after the configured bound. Webhooks go through
 * {@link #publishWebhook}, which the shared {@link WebhookLimit} may refuse at once. Each record gets a PRODUCER span
 * {@code send <topic>} under the caller's span, ended at Kafka's acknowledgement, and carries it as
 * {@code traceparent} (nothing at all when tracing is off).
 */
public class EventPublisher<T extends SpecificRecord> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);

    private final Vertx vertx;
    private final KafkaProducer<String, T> producer;
    private final Topic topic;
    private final Function<T, String> key;
    private final Function<T, String> type;
    private final ExecutorService sender;
    private final Duration timeout;
    private final IngressMetrics metrics;
    private final WebhookLimit webhooks;
    private final Tracing tracing;

    /** {@code key} gives a record's key (its conversation id), {@code type} the tag it is counted under. */
    public EventPublisher(Vertx vertx, KafkaClients clients, String clientId, Topic topic, Function<T, String> key,
            Function<T, String> type, Duration timeout, WebhookLimit webhooks, IngressMetrics metrics) {
        this(vertx, clients, clientId, topic, key, type, timeout, webhooks, metrics, Tracing.OFF);
    }

    /** With each record traced ({@code send <topic>} spans and {@code traceparent} headers) by {@code tracing}. */
    public EventPublisher(Vertx vertx, KafkaClients clients, String clientId, Topic topic, Function<T, String> key,
            Function<T, String> type, Duration timeout, WebhookLimit webhooks, IngressMetrics metrics, Tracing tracing) {
        this(vertx, clients, clientId, topic, key, type, timeout, requestTimeoutFor(timeout), webhooks, metrics,
                tracing);
    }

    /** A request to a broker gets half the webhook's bound: time for the producer to retry it once within the bound. */
    public static Duration requestTimeoutFor(Duration webhookTimeout) {
        return webhookTimeout.dividedBy(2);
    }

    /**
     * {@code timeout} bounds each event (the producer retries it until then), {@code requestTimeout} one request to
     * a broker: kept short whatever the bound, so a request to a broker that vanished is retried on the partition's
     * new leader soon after the election rather than at the end of a long bound.
     */
    public EventPublisher(Vertx vertx, KafkaClients clients, String clientId, Topic topic, Function<T, String> key,
            Function<T, String> type, Duration timeout, Duration requestTimeout, WebhookLimit webhooks,
            IngressMetrics metrics, Tracing tracing) {
        this.tracing = tracing;
        this.vertx = vertx;
        this.webhooks = webhooks;
        this.topic = topic;
        this.key = key;
        this.type = type;
        this.timeout = timeout;
        this.metrics = metrics;
        Map<String, Object> config = clients.producerConfig(clientId);
        int bound = (int) timeout.toMillis();
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, bound);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(bound, Math.max(50, requestTimeout.toMillis())));
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, bound);
        this.producer = new KafkaProducer<>(config, new StringSerializer(),
                clients.serdes().<T>forTopic(topic).serializer());
        this.sender = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, clientId + "-send");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** {@link #publish} for a webhook: fails at once with {@link WebhookLimit.Saturated} when too many wait for Kafka. */
    public Future<Void> publishWebhook(T event) {
        return publishWebhook(event, io.opentelemetry.context.Context.root());
    }

    /** {@link #publishWebhook(SpecificRecord)} under {@code parent} (the webhook's span). */
    public Future<Void> publishWebhook(T event, io.opentelemetry.context.Context parent) {
        return webhooks.admit(() -> publish(event, parent));
    }

    /** Produces the event keyed by its conversation id; succeeds once Kafka acknowledged it (acks=all). */
    public Future<Void> publish(T event) {
        return publish(event, io.opentelemetry.context.Context.root());
    }

    /** {@link #publish(SpecificRecord)} with its {@code send} span under {@code parent}. */
    public Future<Void> publish(T event, io.opentelemetry.context.Context parent) {
        Context context = vertx.getOrCreateContext();
        Promise<Void> promise = Promise.promise();
        long timer = vertx.setTimer(timeout.toMillis(), id -> promise.tryFail(
                new TimeoutException("Kafka did not acknowledge within " + timeout.toMillis() + " ms")));
        ProducerRecord<String, T> record = new ProducerRecord<>(topic.topicName(), key.apply(event), event);
        String type = this.type.apply(event);
        Span span = tracing.send(parent, topic.topicName(), record.key());
        tracing.inject(parent, span, record.headers());
        try {
            sender.execute(() -> {
                try {
                    producer.send(record, (metadata, error) -> {
                        Messaging.acknowledged(span, metadata == null ? -1 : metadata.partition(),
                                metadata == null ? -1 : metadata.offset(), error);
                        context.runOnContext(v -> {
                            vertx.cancelTimer(timer);
                            if (error == null) {
                                metrics.produced(type);
                                promise.tryComplete();
                            } else {
                                promise.tryFail(error);
                            }
                        });
                    });
                } catch (RuntimeException e) {
                    Messaging.acknowledged(span, -1, -1, e);
                    context.runOnContext(v -> promise.tryFail(e));
                }
            });
        } catch (RejectedExecutionException e) {
            Messaging.acknowledged(span, -1, -1, e);
            vertx.cancelTimer(timer);
            promise.tryFail(e);
        }
        return promise.future();
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
        log.debug("Producer of {} closed", topic.topicName());
    }
}
