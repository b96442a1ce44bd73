package io.switchboard.memory.service;

import io.switchboard.events.IntelligenceEvent;
import io.switchboard.ids.RecentIds;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.kafka.ordered.KeyOrderedConsumer;
import io.switchboard.kafka.ordered.KeyOrderedOptions;
import io.switchboard.topics.Topic;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * With the Twilio provider: reads tac.ci.v1 (consumer group {@code <SWITCHBOARD_MEMORY_APPLICATION_ID>-ci}, each
 * conversation in order) and writes each event's observations and summaries to Twilio Conversation Memory, as TAC's
 * operator result processor does. An event's offset is committed after its writes; a write Twilio refuses with a
 * retryable status (429, 5xx, no answer) is retried a few times with backoff, then logged and counted, and the
 * event's other writes go on. Events already written by this instance are dropped by event id (Twilio retrying a
 * webhook); after a crash between a write and the commit, the write is repeated (Memory has no idempotency key).
 *
 * <p>Metrics: {@code switchboard.memory.intelligence.writes{kind,outcome}} (ok, failed).
 */
final class IntelligenceWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IntelligenceWriter.class);
    static final int ATTEMPTS = 4;
    private static final long FIRST_BACKOFF_MS = 200;
    private static final int REMEMBERED_EVENTS = 10_000;

    private final TwilioMemory twilio;
    private final IntelligenceResults results;
    private final Vertx vertx;
    private final MemoryMetrics metrics;
    private final KeyOrderedConsumer<IntelligenceEvent> consumer;
    /** Event ids written lately, oldest first (per conversation order makes this a plain bounded set). */
    private final Set<String> written = RecentIds.bounded(REMEMBERED_EVENTS);

    IntelligenceWriter(MemoryConfig config, KafkaClients clients, TwilioMemory twilio, Vertx vertx, MemoryMetrics metrics) {
        this.twilio = twilio;
        this.results = IntelligenceResults.of(config);
        this.vertx = vertx;
        this.metrics = metrics;
        String group = config.applicationId() + "-ci";
        this.consumer = new KeyOrderedConsumer<>(clients.consumerConfig(group, group),
                clients.serdes().<IntelligenceEvent>forTopic(Topic.INTELLIGENCE).deserializer(),
                List.of(Topic.INTELLIGENCE.topicName()), this::handle,
                KeyOrderedOptions.defaults().withName("memory-ci").withMeterRegistry(metrics.registry()));
    }

    void start() {
        consumer.start();
    }

    /** For tests: waits until the consumer has its partitions. */
    boolean awaitAssignment(Duration timeout) throws InterruptedException {
        return consumer.awaitAssignment(timeout);
    }

    private CompletionStage<?> handle(ConsumerRecord<String, IntelligenceEvent> record) {
        IntelligenceEvent event = record.value();
        if (event == null || written.contains(event.getEventId())) {
            return Future.succeededFuture().toCompletionStage();
        }
        Future<Void> chain = Future.succeededFuture();
        for (IntelligenceResults.Write write : results.writes(event)) {
            for (Supplier<Future<Void>> call : calls(write)) {
                chain = chain.compose(v -> withRetries(call, 1)
                        .onSuccess(x -> metrics.intelligenceWrite(write.kind(), "ok")).otherwise(e -> {
                    metrics.intelligenceWrite(write.kind(), "failed");
                    withConversation(write.conversationId(), () -> log.error("Writing {} of operator result {} to "
                            + "Twilio Memory failed after {} attempts: {}", write.kind(), write.operatorResultId(),
                            ATTEMPTS, e.toString()));
                    return null;
                }));
            }
        }
        // remembered before the stage completes: its completion hands over the conversation's next record
        return chain.map(v -> written.add(event.getEventId())).toCompletionStage();
    }

    /** The Twilio calls of one write: one per observation (TAC's create_observation), one for all summaries. */
    private List<Supplier<Future<Void>>> calls(IntelligenceResults.Write write) {
        if (write.kind() == IntelligenceResults.Kind.SUMMARY) {
            List<String> contents = write.items().stream().map(IntelligenceResults.Item::content).toList();
            return List.of(() -> twilio.createSummaries(write.profileId(), contents, write.conversationId(),
                    write.occurredAt()));
        }
        return write.items().stream().<Supplier<Future<Void>>>map(item -> () -> twilio.createObservation(
                write.profileId(), item.content(), write.conversationId(), write.occurredAt())).toList();
    }

    private Future<Void> withRetries(Supplier<Future<Void>> call, int attempt) {
        return call.get().recover(e -> {
            if (attempt >= ATTEMPTS || !retryable(e)) {
                return Future.failedFuture(e);
            }
            Promise<Void> again = Promise.promise();
            vertx.setTimer(FIRST_BACKOFF_MS << (2 * (attempt - 1)), t -> withRetries(call, attempt + 1).onComplete(again));
            return again.future();
        });
    }

    private static boolean retryable(Throwable e) {
        if (e instanceof TwilioMemory.TwilioMemoryException t) {
            return t.status == 429 || t.status >= 500;
        }
        return true; // no answer: timeout, connection refused
    }

    private static void withConversation(String conversationId, Runnable logging) {
        MDC.put("conversationId", conversationId);
        try {
            logging.run();
        } finally {
            MDC.remove("conversationId");
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(10));
    }
}
