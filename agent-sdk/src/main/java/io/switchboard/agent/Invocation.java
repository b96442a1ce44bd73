package io.switchboard.agent;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.switchboard.events.AgentEvent;
import io.switchboard.tracing.Messaging;
import io.switchboard.tracing.Tracing;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One agent event being handled: runs the callback on the worker pool, retries it, dead-letters it, and can be
 * cancelled by an interrupt that arrives while it runs. {@link #done} completes when the event is fully handled (its
 * replies acknowledged, or its dead letter), which lets the consumer commit its offset.
 */
final class Invocation {
    private static final Logger log = LoggerFactory.getLogger(Invocation.class);
    private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("switchboard.attempt");
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    /** What the callback does in one attempt; it must eventually call {@link Outbox#handlerReturned()} or throw. */
    @FunctionalInterface
    interface Body {
        /** Returns a stage for asynchronous callbacks (cancelled on interrupt), or null. */
        CompletionStage<?> run(Outbox outbox) throws Exception;
    }

    final ConsumerRecord<String, AgentEvent> record;
    final String kind;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    private final AgentRuntime runtime;
    private final Body body;
    private final long turn;
    private Outbox outbox;
    private Future<?> task;
    private CompletionStage<?> userStage;
    private CompletableFuture<Void> attemptResult;
    private boolean cancelled;
    private long startedAt;
    /** {@code process tac.agent.v1} (CONSUMER) and under it the handler's span, over every attempt. */
    private Span processSpan = Span.getInvalid();
    private Span handlerSpan = Span.getInvalid();
    private Context handlerContext = Context.root();

    Invocation(AgentRuntime runtime, ConsumerRecord<String, AgentEvent> record, String kind, long turn, Body body) {
        this.runtime = runtime;
        this.record = record;
        this.kind = kind;
        this.turn = turn;
        this.body = body;
    }

    String conversationId() {
        return record.value().getConversationId();
    }

    long offset() {
        return record.offset();
    }

    CompletableFuture<Void> run() {
        startedAt = System.nanoTime();
        runtime.metrics.active.incrementAndGet();
        startSpans();
        done.whenComplete((v, e) -> {
            runtime.metrics.active.decrementAndGet();
            runtime.metrics.latency(kind).record(System.nanoTime() - startedAt, TimeUnit.NANOSECONDS);
            if (e != null) {
                Messaging.failed(handlerSpan, e);
            }
            handlerSpan.end();
            processSpan.end();
        });
        attempt(0);
        return done;
    }

    /**
     * The CONSUMER span continuing the record's trace, and the handler's span under it ({@code handle <kind>}): the
     * handler runs with it current, so what it calls (retrieveMemory, an LLM) is traced beneath it.
     */
    private void startSpans() {
        Tracing tracing = runtime.tracing;
        if (!tracing.enabled()) {
            return;
        }
        processSpan = tracing.process(record, runtime.config.groupId());
        processSpan.setAttribute(Messaging.EVENT_TYPE, kind);
        Context processContext = Context.root().with(processSpan);
        var builder = tracing.tracer().spanBuilder("handle " + kind).setParent(processContext)
                .setAttribute(Messaging.CONVERSATION_ID, conversationId())
                .setAttribute(Messaging.CHANNEL, record.value().getSession().getChannel().name());
        if (turn >= 0) {
            builder.setAttribute(Messaging.TURN, turn);
        }
        handlerSpan = builder.startSpan();
        handlerContext = processContext.with(handlerSpan);
    }

    /** The caller interrupted: stop the callback, send nothing more, finish once what was sent is acknowledged. */
    void cancel() {
        Outbox box;
        Future<?> running;
        CompletionStage<?> stage;
        CompletableFuture<Void> result;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            box = outbox;
            running = task;
            stage = userStage;
            result = attemptResult;
        }
        withMdc(() -> log.info("Interrupted: cancelling the {} handler of event {}", kind, record.value().getEventId()));
        handlerSpan.addEvent("interrupted");
        runtime.metrics.cancelled.increment();
        if (box != null) {
            box.cancel();
        }
        if (running != null) {
            running.cancel(true);
        }
        if (stage != null) {
            stage.toCompletableFuture().cancel(true);
        }
        if (result != null) {
            result.complete(null);
        }
        if (box == null) {
            done.complete(null);
        }
    }

    private synchronized boolean isCancelled() {
        return cancelled;
    }

    private void attempt(int n) {
        Outbox box = new Outbox(runtime, record.value(), turn, handlerContext);
        CompletableFuture<Void> result = new CompletableFuture<>();
        synchronized (this) {
            if (cancelled) {
                done.complete(null);
                return;
            }
            outbox = box;
            userStage = null;
            attemptResult = result;
        }
        Runnable work = () -> withMdc(() -> {
            try {
                CompletionStage<?> stage = body.run(box);
                if (stage != null) {
                    synchronized (this) {
                        userStage = stage;
                        if (cancelled) {
                            stage.toCompletableFuture().cancel(true);
                        }
                    }
                    stage.whenComplete((v, error) -> {
                        if (error != null) {
                            result.completeExceptionally(error);
                        }
                    });
                }
                box.settled().whenComplete((v, error) -> result.complete(null));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        // the handler runs with its span current (nothing to wrap when tracing is off)
        Future<?> submitted = runtime.pool.submit(runtime.tracing.enabled() ? handlerContext.wrap(work) : work);
        boolean cancelledMeanwhile;
        synchronized (this) {
            task = submitted;
            cancelledMeanwhile = cancelled;
        }
        if (cancelledMeanwhile) {
            submitted.cancel(true);
        }
        result.orTimeout(runtime.config.handlerTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((v, error) -> {
                    if (error == null || isCancelled()) {
                        box.cancel(); // a stream the handler still holds sends nothing more
                        box.acked().whenComplete((x, sendError) -> {
                            if (sendError == null) {
                                done.complete(null);
                            } else {
                                failed(n, sendError, box);
                            }
                        });
                    } else {
                        failed(n, error, box);
                    }
                });
    }

    private void failed(int n, Throwable error, Outbox box) {
        box.cancel();
        Throwable cause = error instanceof CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (cause instanceof TimeoutException) {
            // only a timed-out callback may still be running; any other failure is reported by a finished one, often
            // on its own thread, which must not interrupt itself (the dead letter's send would fail)
            Future<?> running;
            synchronized (this) {
                running = task;
            }
            if (running != null) {
                running.cancel(true);
            }
        }
        runtime.metrics.errors(kind).increment();
        if (n < runtime.config.retries()) {
            withMdc(() -> log.warn("The {} handler failed (attempt {} of {}), retrying: {}", kind, n + 1,
                    runtime.config.retries() + 1, cause.toString(), cause));
            runtime.metrics.retries.increment();
            handlerSpan.addEvent("retry", Attributes.of(ATTEMPT, (long) n + 1, ERROR_TYPE, cause.getClass().getName()));
            runtime.scheduler.schedule(() -> attempt(n + 1), 100L << Math.min(n, 6), TimeUnit.MILLISECONDS);
        } else {
            withMdc(() -> log.error("The {} handler failed {} time(s); dead-lettering event {}", kind, n + 1,
                    record.value().getEventId(), cause));
            handlerSpan.addEvent("dead-lettered", Attributes.of(ATTEMPT, (long) n + 1, ERROR_TYPE,
                    cause.getClass().getName()));
            Messaging.failed(handlerSpan, cause);
            CompletableFuture<Void> written;
            try {
                written = runtime.deadLetter(record, cause);
            } catch (RuntimeException e) {
                written = CompletableFuture.failedFuture(e);
            }
            written.whenComplete((v, e) -> {
                if (e != null) {
                    withMdc(() -> log.error("Cannot write the dead letter of event {}; it is logged here only", record.value().getEventId(), e));
                    done.completeExceptionally(e);
                } else {
                    done.complete(null);
                }
            });
        }
    }

    private void withMdc(Runnable action) {
        String previous = MDC.get("conversationId");
        MDC.put("conversationId", conversationId());
        try {
            action.run();
        } finally {
            if (previous == null) {
                MDC.remove("conversationId");
            } else {
                MDC.put("conversationId", previous);
            }
        }
    }
}
