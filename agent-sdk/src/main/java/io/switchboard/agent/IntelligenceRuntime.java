package io.switchboard.agent;

import io.switchboard.deadletter.DeadLetters;
import io.switchboard.events.DeadLetter;
import io.switchboard.events.IntelligenceEvent;
import io.switchboard.ids.EventIds;
import io.switchboard.ids.RecentIds;
import io.switchboard.kafka.ordered.RecordHandler;
import io.switchboard.topics.Topic;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Feeds {@code tac.ci.v1} to {@code onIntelligence}: each event on the worker pool, a conversation's events in order,
 * a failing callback retried ({@code SWITCHBOARD_AGENT_RETRIES}, backoff) and then dead-lettered like a message
 * handler's event. An event whose id this worker handled lately (Twilio retrying the webhook) is not handed over again.
 */
final class IntelligenceRuntime implements RecordHandler<IntelligenceEvent> {
    private static final Logger log = LoggerFactory.getLogger(IntelligenceRuntime.class);
    private static final int REMEMBERED_EVENTS = 10_000;

    private final AgentConfig config;
    private final AgentMetrics metrics;
    private final ExecutorService pool;
    private final ScheduledExecutorService scheduler;
    private final Handlers.IntelligenceHandler handler;
    private final Producer<String, DeadLetter> deadLetters;
    private final Serializer<IntelligenceEvent> serializer;
    private final Set<String> handled = RecentIds.bounded(REMEMBERED_EVENTS);

    IntelligenceRuntime(AgentConfig config, AgentMetrics metrics, ExecutorService pool, ScheduledExecutorService scheduler,
                        Handlers.IntelligenceHandler handler, Producer<String, DeadLetter> deadLetters,
                        Serializer<IntelligenceEvent> serializer) {
        this.config = config;
        this.metrics = metrics;
        this.pool = pool;
        this.scheduler = scheduler;
        this.handler = handler;
        this.deadLetters = deadLetters;
        this.serializer = serializer;
    }

    @Override
    public CompletionStage<?> handle(ConsumerRecord<String, IntelligenceEvent> record) {
        IntelligenceEvent event = record.value();
        if (event == null || handled.contains(event.getEventId())) {
            return null;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        long started = System.nanoTime();
        metrics.active.incrementAndGet();
        done.whenComplete((v, e) -> {
            metrics.active.decrementAndGet();
            metrics.latency("intelligence").record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        });
        attempt(record, CiResult.of(event), 0, done);
        return done;
    }

    private void attempt(ConsumerRecord<String, IntelligenceEvent> record, CiResult result, int n,
                         CompletableFuture<Void> done) {
        CompletableFuture.runAsync(() -> withMdc(result.conversationId(), () -> {
                    try {
                        handler.onIntelligence(result);
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                }), pool)
                .orTimeout(config.handlerTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((v, error) -> {
                    if (error == null) {
                        finish(result, done);
                        return;
                    }
                    Throwable cause = error.getCause() != null ? error.getCause() : error;
                    metrics.errors("intelligence").increment();
                    if (n < config.retries()) {
                        withMdc(result.conversationId(), () -> log.warn("onIntelligence failed (attempt {} of {}), "
                                + "retrying: {}", n + 1, config.retries() + 1, cause.toString()));
                        metrics.retries.increment();
                        scheduler.schedule(() -> attempt(record, result, n + 1, done), 100L << Math.min(n, 6),
                                TimeUnit.MILLISECONDS);
                    } else {
                        withMdc(result.conversationId(), () -> log.error("onIntelligence failed {} time(s); "
                                + "dead-lettering event {}", n + 1, result.eventId(), cause));
                        deadLetter(record, cause).whenComplete((x, e) -> finish(result, done));
                    }
                });
    }

    /** Remembered before completing: the consumer hands over the key's next record (maybe a copy) on completion. */
    private void finish(CiResult result, CompletableFuture<Void> done) {
        handled.add(result.eventId());
        done.complete(null);
    }

    private CompletableFuture<Void> deadLetter(ConsumerRecord<String, IntelligenceEvent> record, Throwable error) {
        IntelligenceEvent event = record.value();
        DeadLetter letter = DeadLetters.of(EventIds.derived(event.getEventId(), "dlq", config.groupId() + "-ci"),
                "agent:" + config.groupId(), DeadLetters.Origin.of(record.topic(), record.partition(), record.offset(),
                        record.key(), serializer.serialize(record.topic(), event)), event.getConversationId(), error);
        CompletableFuture<Void> acked = new CompletableFuture<>();
        deadLetters.send(new ProducerRecord<>(Topic.DEAD_LETTER.topicName(), record.key(), letter), (m, e) -> {
            if (e == null) {
                metrics.deadLetters.increment();
                acked.complete(null);
            } else {
                log.error("Cannot write the dead letter of CI event {}; it is logged here only", event.getEventId(), e);
                acked.completeExceptionally(e);
            }
        });
        return acked;
    }

    private static void withMdc(String conversationId, Runnable action) {
        MDC.put("conversationId", conversationId);
        try {
            action.run();
        } finally {
            MDC.remove("conversationId");
        }
    }
}
