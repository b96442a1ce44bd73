package io.switchboard.router;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.switchboard.events.AgentEvent;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.Memory;
import io.switchboard.events.Session;
import io.switchboard.events.agent.MessageReady;
import io.switchboard.memory.MemoryQuery;
import io.switchboard.tracing.Messaging;
import io.switchboard.tracing.Tracing;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Memory without head-of-line blocking: owns the messages held for their memory, their fetches and the drain timer.
 *
 * <p>A message that needs memory is <em>held</em> in the changelogged {@link RouterTopology#HELD_STORE} while
 * {@link io.switchboard.memory.MemoryClient#retrieve} runs asynchronously, and every later inbound event of that
 * conversation queues behind it in the same store entry, so per-conversation order holds while the other
 * conversations of the partition go on. The fetch's completion (on an HTTP client thread) only appends to a
 * concurrent queue; a wall-clock punctuation every {@value #DRAIN_MS} ms, scheduled only while the task holds a
 * message, drains it on the stream thread (the only thread that may touch stores and forward) and hands each held
 * message, with its memory, to the {@link Release} of the sessions processor, which forwards it and replays the queued
 * events; a message whose fetch outlived the timeout is released without memory. This was chosen over a memory-reply
 * topic read by a second source: no extra Kafka round trip (two transfers, about 4-12 ms, on the voice path), no
 * producer outside the Streams transaction and no extra topic to provision, at the cost of a poll interval of
 * {@value #DRAIN_MS} ms ({@link RouterService} lowers {@code poll.ms} to match when memory is on). It is
 * exactly-once-safe: the held message and its queue are committed with the input offsets; the fetch itself is not
 * state, so a task that starts (after a crash, restart or rebalance) fetches again for every message it finds held,
 * and the timeout releases it without memory if that fetch fails too: a held message is never lost.
 */
final class MemoryGate {
    private static final Logger log = LoggerFactory.getLogger(MemoryGate.class);
    /** How often completed memory fetches are taken up on the stream thread. */
    static final long DRAIN_MS = 5;

    /** Takes up a released message (its memory already attached, null when none came) on the stream thread. */
    interface Release {
        void released(String conversationId, HeldMessage message, Memory found);
    }

    private final MemoryRouting memory;
    private final RouterMetrics metrics;
    private final Tracing tracing;
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("switchboard.memory.outcome");
    /** Conversations of this task with a held message (the keys of the held store), with their fetch. */
    private final Map<String, Fetch> fetches = new HashMap<>();
    /** Finished fetches, appended by HTTP client threads, drained by the stream thread. */
    private final Queue<Completion> completions = new ConcurrentLinkedQueue<>();
    private long fetchSequence;
    /**
     * The drain punctuation, scheduled only while this task holds a message: Streams commits a task after each of
     * its punctuations, so a permanent 5 ms punctuation would cost every idle task a transaction per commit interval.
     */
    private Cancellable drain;
    private ProcessorContext<?, ?> context;
    private KeyValueStore<String, HeldMessage> held;
    private Release release;

    MemoryGate(MemoryRouting memory, RouterMetrics metrics, Tracing tracing) {
        this.tracing = tracing;
        this.memory = memory;
        this.metrics = metrics;
    }

    /** Opens the held store and fetches again for every message held when this task last stopped. */
    void init(ProcessorContext<?, ?> context, Release release, long now) {
        this.context = context;
        this.release = release;
        this.held = context.getStateStore(RouterTopology.HELD_STORE);
        List<KeyValue<String, HeldMessage>> found = new ArrayList<>();
        try (KeyValueIterator<String, HeldMessage> all = held.all()) {
            all.forEachRemaining(found::add);
        }
        for (KeyValue<String, HeldMessage> entry : found) {
            fetch(entry.key, entry.value, now);
        }
        if (!found.isEmpty()) {
            log.info("{} message(s) were held for their memory when this task last stopped: fetching again", found.size());
        }
    }

    void close() {
        if (drain != null) {
            drain.cancel();
            drain = null;
        }
        metrics.held(-fetches.size());
        fetches.clear();
        completions.clear();
    }

    /** Whether a message of this conversation waits for its memory (its other events wait behind it). */
    boolean holds(String conversationId) {
        return fetches.containsKey(conversationId);
    }

    /** Queues an inbound event behind its conversation's held message; false when none is held. */
    boolean queue(String conversationId, InboundEvent event, long timestampMillis, String traceParent) {
        if (!holds(conversationId)) {
            return false;
        }
        HeldMessage waiting = held.get(conversationId);
        if (waiting == null) {
            return false;
        }
        waiting.queued.add(new HeldMessage.Queued(event, timestampMillis, traceParent));
        held.put(conversationId, waiting);
        log.debug("{} {} waits behind the message held for its memory", SessionRules.typeOf(event), event.getEventId());
        return true;
    }

    /**
     * Holds a message-ready while its memory is fetched; false when no memory can be asked for (neither profile id
     * nor customer address): then it goes on without memory.
     */
    boolean hold(String conversationId, AgentEvent event, long timestampMillis, boolean once, long now,
            String traceParent) {
        if (queryFor(event, once) == null) {
            log.debug("No profile id nor customer address: message {} goes on without memory",
                    ((MessageReady) event.getPayload()).getMessageId());
            return false;
        }
        HeldMessage message = new HeldMessage(event, timestampMillis, once, List.of(), traceParent);
        held.put(conversationId, message);
        fetch(conversationId, message, now);
        return true;
    }

    /** The query of a held message: its text ({@code always}) or none ({@code once}); null without a customer. */
    static MemoryQuery queryFor(AgentEvent event, boolean once) {
        Session session = event.getSession();
        if (SessionRules.isBlank(session.getProfileId()) && SessionRules.isBlank(session.getFrom())) {
            return null;
        }
        String text = once ? "" : ((MessageReady) event.getPayload()).getText();
        return MemoryQuery.of(session.getConversationId(), session.getProfileId(), session.getFrom(), session.getChannel(), text);
    }

    /** Starts the (asynchronous) fetch of a held message's memory; its completion is taken up by {@link #drain}. */
    private void fetch(String conversationId, HeldMessage message, long now) {
        long id = ++fetchSequence;
        MemoryQuery query = queryFor(message.event, message.once);
        boolean possible = memory.client() != null && query != null;
        // without a client (memory turned off since the message was held) it is released at the next drain
        if (fetches.put(conversationId, new Fetch(id, possible ? now + memory.timeout().toMillis() : now)) == null) {
            metrics.held(1);
        }
        if (drain == null) {
            drain = context.schedule(Duration.ofMillis(DRAIN_MS), PunctuationType.WALL_CLOCK_TIME, this::drain);
        }
        if (!possible) {
            return;
        }
        // a CLIENT span under the router span that held the message (also when fetching again after a restart)
        Span span = !tracing.enabled() ? Span.getInvalid()
                : tracing.tracer().spanBuilder("POST /memory/retrieve").setSpanKind(SpanKind.CLIENT)
                        .setParent(tracing.fromTraceparent(message.traceParent))
                        .setAttribute("http.request.method", "POST")
                        .setAttribute(Messaging.CONVERSATION_ID, conversationId)
                        .setAttribute("switchboard.memory.once", message.once)
                        .startSpan();
        CompletableFuture<Memory> answer;
        try {
            answer = memory.client().retrieve(query, memory.timeout());
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((result, error) -> {
            if (error == null) {
                span.setAttribute(OUTCOME, "ok");
            } else {
                Throwable cause = unwrap(error);
                span.setAttribute(OUTCOME, isTimeout(cause) ? "timeout" : "error");
                Messaging.failed(span, cause);
            }
            span.end();
            completions.add(new Completion(conversationId, id, result, error));
        });
    }

    /** On the stream thread: releases held messages whose memory came, failed or timed out. */
    private void drain(long now) {
        Completion done;
        while ((done = completions.poll()) != null) {
            Fetch fetch = fetches.get(done.conversationId());
            if (fetch == null || fetch.id() != done.fetchId()) {
                continue; // released by the timeout already
            }
            if (done.error() == null) {
                release(done.conversationId(), done.memory(), "ok", null);
            } else {
                Throwable cause = unwrap(done.error());
                release(done.conversationId(), null, isTimeout(cause) ? "timeout" : "error", cause);
            }
        }
        List<String> expired = new ArrayList<>();
        for (Map.Entry<String, Fetch> entry : fetches.entrySet()) {
            if (entry.getValue().deadlineMillis() <= now) {
                expired.add(entry.getKey());
            }
        }
        for (String conversationId : expired) {
            release(conversationId, null, memory.client() == null ? null : "timeout", null);
        }
        if (fetches.isEmpty() && drain != null) {
            drain.cancel();
            drain = null;
        }
    }

    /** Hands a held message with its memory (or without) to the sessions, which forward it and what queued behind it. */
    private void release(String conversationId, Memory found, String outcome, Throwable error) {
        fetches.remove(conversationId);
        metrics.held(-1);
        if (outcome != null) {
            metrics.memoryFetch(outcome);
        }
        HeldMessage message = held.get(conversationId);
        held.delete(conversationId);
        if (message == null) {
            return;
        }
        MDC.put("conversationId", conversationId);
        try {
            if (!"ok".equals(outcome)) {
                log.warn("No memory for message {} ({}): it goes on without memory",
                        ((MessageReady) message.event.getPayload()).getMessageId(),
                        error != null ? error.toString() : outcome == null ? "memory is off" : "no answer within " + memory.timeout());
            }
            ((MessageReady) message.event.getPayload()).setMemory(found);
            release.released(conversationId, message, found);
        } finally {
            MDC.remove("conversationId");
        }
    }

    private static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static boolean isTimeout(Throwable e) {
        return e instanceof TimeoutException || e instanceof HttpTimeoutException;
    }

    /** The fetch in flight for a held message: an id per fetch (a stale completion is ignored) and its deadline. */
    private record Fetch(long id, long deadlineMillis) {
    }

    private record Completion(String conversationId, long fetchId, Memory memory, Throwable error) {
    }
}
