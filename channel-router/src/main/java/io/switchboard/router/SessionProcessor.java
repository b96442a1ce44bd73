package io.switchboard.router;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.switchboard.events.AgentEvent;
import io.switchboard.events.DeliveryEvent;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.Memory;
import io.switchboard.events.agent.ConversationEnded;
import io.switchboard.topics.Topic;
import io.switchboard.tracing.Messaging;
import io.switchboard.tracing.Tracing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The Kafka Streams side of the session lifecycle (processor {@link RouterTopology#SESSIONS}): reads the conversation's
 * state from the {@link RouterTopology#SESSION_STORE}, asks the {@link SessionRules} what an inbound fact, a handoff
 * outcome or a timer means, and applies the {@link SessionOutcome}: store writes, the relay-only call-end timer
 * ({@link RouterTopology#CALL_END_STORE}), agent events forwarded with the timestamp and headers of the record that
 * caused them, and messages handed to the {@link MemoryGate} while their memory is fetched (the conversation's later
 * events queue behind them there). It ends each conversation exactly once — on CLOSED, when a relay-only call ends, or
 * after inactivity — keeping a short-lived tombstone so a second end signal or a late frame is recognised; the rules
 * themselves are described on {@link SessionRules}.
 */
final class SessionProcessor implements Processor<String, SpecificRecord, String, AgentEvent> {
    private static final Logger log = LoggerFactory.getLogger(SessionProcessor.class);
    /** How often completed memory fetches are taken up on the stream thread. */
    static final long MEMORY_DRAIN_MS = MemoryGate.DRAIN_MS;

    private final SessionRules rules;
    private final MemoryGate gate;
    private final RouterMetrics metrics;
    private final Tracing tracing;
    private ProcessorContext<String, AgentEvent> context;
    private KeyValueStore<String, ConversationState> sessions;
    private KeyValueStore<String, Long> pendingCallEnds;
    /**
     * When this task started: idle time counts from here at the earliest, so after a restart or a move a
     * conversation is not ended for inactivity before the backlog of its events has been processed.
     */
    private long taskStartedAtMillis;

    SessionProcessor(Duration inactivityTimeout, Duration callEndGrace, MemoryRouting memory, RouterMetrics metrics,
            Tracing tracing) {
        this.tracing = tracing;
        this.rules = new SessionRules(inactivityTimeout, callEndGrace, memory);
        this.gate = new MemoryGate(memory, metrics, tracing);
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, AgentEvent> context) {
        this.context = context;
        this.sessions = context.getStateStore(RouterTopology.SESSION_STORE);
        this.pendingCallEnds = context.getStateStore(RouterTopology.CALL_END_STORE);
        this.taskStartedAtMillis = context.currentSystemTimeMs();
        context.schedule(clamp(rules.inactivityTimeout().dividedBy(10), Duration.ofMillis(100), Duration.ofSeconds(30)),
                PunctuationType.WALL_CLOCK_TIME, this::endIdleConversations);
        context.schedule(clamp(rules.callEndGrace().dividedBy(5), Duration.ofMillis(50), Duration.ofSeconds(1)),
                PunctuationType.WALL_CLOCK_TIME, this::endClosedCalls);
        gate.init(context, this::released, taskStartedAtMillis);
    }

    @Override
    public void close() {
        gate.close();
    }

    @Override
    public void process(Record<String, SpecificRecord> input) {
        if (input.value() instanceof DeliveryEvent delivery) {
            handoffOutcome(input, delivery);
            return;
        }
        if (!(input.value() instanceof InboundEvent event)) {
            return;
        }
        @SuppressWarnings({"unchecked", "rawtypes"})
        Record<String, InboundEvent> record = (Record) input;
        String conversationId = event.getConversationId();
        if (record.key() != null && !record.key().equals(conversationId)) {
            log.warn("Inbound event {} keyed {} but for conversation {}: routed by its conversation id",
                    event.getEventId(), record.key(), conversationId);
        }
        MDC.put("conversationId", conversationId);
        Span span = processSpan(record, conversationId);
        try (Scope ignored = tracing.enabled() ? span.makeCurrent() : Scope.noop()) {
            handle(record.withKey(conversationId));
        } finally {
            span.end();
            MDC.remove("conversationId");
        }
    }

    /**
     * The CONSUMER span {@code process tac.inbound.v1}, continuing the trace of the record's {@code traceparent}; the
     * agent events it causes carry it on (directly, or through the held store when their message waits for memory).
     */
    private Span processSpan(Record<String, InboundEvent> record, String conversationId) {
        if (!tracing.enabled()) {
            return Span.getInvalid();
        }
        RecordMetadata source = context.recordMetadata().orElse(null);
        Span span = tracing.process(source == null ? Topic.INBOUND.topicName() : source.topic(),
                source == null ? -1 : source.partition(), source == null ? -1 : source.offset(), conversationId,
                context.applicationId(), record.headers());
        span.setAttribute(Messaging.EVENT_TYPE, typeOf(record.value()));
        return span;
    }

    /** Routes an inbound event, or queues it behind its conversation's held message. */
    private void handle(Record<String, InboundEvent> record) {
        String conversationId = record.key();
        if (gate.queue(conversationId, record.value(), record.timestamp(), tracing.traceparent(Context.current()))) {
            return;
        }
        long now = context.currentSystemTimeMs();
        apply(conversationId, rules.inbound(record.value(), sessions.get(conversationId), now), record, now);
    }

    private void handoffOutcome(Record<String, SpecificRecord> record, DeliveryEvent delivery) {
        if (!SessionRules.isMessagingHandoff(delivery)) {
            return;
        }
        String conversationId = delivery.getConversationId();
        MDC.put("conversationId", conversationId);
        try {
            long now = context.currentSystemTimeMs();
            apply(conversationId, rules.handoffOutcome(delivery, sessions.get(conversationId), now), record, now);
        } finally {
            MDC.remove("conversationId");
        }
    }

    /** Ends conversations idle for the inactivity timeout, and forgets tombstones older than it. */
    private void endIdleConversations(long now) {
        List<KeyValue<String, SessionOutcome>> due = new ArrayList<>();
        try (KeyValueIterator<String, ConversationState> all = sessions.all()) {
            while (all.hasNext()) {
                KeyValue<String, ConversationState> entry = all.next();
                if (gate.holds(entry.key)) {
                    continue; // a held message is activity; its fetch ends within the memory timeout
                }
                SessionOutcome outcome = rules.inactivity(entry.value, now, taskStartedAtMillis);
                if (!outcome.isEmpty()) {
                    due.add(KeyValue.pair(entry.key, outcome));
                }
            }
        }
        for (KeyValue<String, SessionOutcome> entry : due) {
            MDC.put("conversationId", entry.key);
            try {
                apply(entry.key, entry.value, null, now);
            } finally {
                MDC.remove("conversationId");
            }
        }
    }

    /** Relay-only calls whose socket closed and whose action callback did not come within the grace. */
    private void endClosedCalls(long now) {
        List<String> due = new ArrayList<>();
        try (KeyValueIterator<String, Long> all = pendingCallEnds.all()) {
            while (all.hasNext()) {
                KeyValue<String, Long> entry = all.next();
                if (entry.value <= now) {
                    due.add(entry.key);
                }
            }
        }
        for (String conversationId : due) {
            if (gate.holds(conversationId)) {
                continue; // after the held message: the next run
            }
            MDC.put("conversationId", conversationId);
            try {
                apply(conversationId, rules.callEndGraceOver(sessions.get(conversationId), now), null, now);
            } finally {
                MDC.remove("conversationId");
            }
        }
    }

    /** A message the memory gate released: forwarded, its memory cached ({@code once}), its queued events replayed. */
    private void released(String conversationId, HeldMessage message, Memory found) {
        if (message.once && found != null) {
            ConversationState state = sessions.get(conversationId);
            if (SessionRules.cacheMemory(state, found, true)) {
                sessions.put(conversationId, state);
            }
        }
        try (Scope ignored = continued(message.traceParent)) {
            forward(new Record<>(conversationId, message.event, message.timestampMillis));
        }
        for (HeldMessage.Queued queued : message.queued) {
            try (Scope ignored = continued(queued.traceParent())) {
                handle(new Record<>(conversationId, queued.event(), queued.timestampMillis()));
            }
        }
    }

    /** Makes a stored trace context current again (nothing when tracing is off or none was stored). */
    private Scope continued(String traceParent) {
        return traceParent == null || !tracing.enabled() ? Scope.noop() : tracing.fromTraceparent(traceParent).makeCurrent();
    }

    /**
     * Applies a rule's outcome: state and call-end timer first, then the agent events (keyed by their conversation,
     * with the timestamp and headers of {@code cause}, or stamped {@code now} when a timer caused them), then the held
     * message, which goes on without memory when none can be asked for.
     */
    private void apply(String conversationId, SessionOutcome outcome, Record<String, ?> cause, long now) {
        switch (outcome.stateChange()) {
            case PUT -> sessions.put(outcome.state().conversationId(), outcome.state());
            case DELETE -> sessions.delete(outcome.state().conversationId());
            case NONE -> { }
        }
        if (outcome.callEndTimerChanged()) {
            if (outcome.callEndDeadline() == null) {
                pendingCallEnds.delete(conversationId);
            } else {
                pendingCallEnds.put(conversationId, outcome.callEndDeadline());
            }
        }
        for (String reason : outcome.dropped()) {
            metrics.dropped(reason);
        }
        for (AgentEvent event : outcome.events()) {
            forward(record(cause, event, now));
        }
        ConversationEnded ended = outcome.ended();
        if (ended != null) {
            metrics.ended(ended.getReason().name());
        }
        AgentEvent message = outcome.held();
        if (message != null) {
            long timestamp = cause == null ? now : cause.timestamp();
            if (!gate.hold(message.getConversationId(), message, timestamp, outcome.heldOnce(), now,
                    tracing.traceparent(Context.current()))) {
                forward(record(cause, message, now));
            }
        }
    }

    private static Record<String, AgentEvent> record(Record<String, ?> cause, AgentEvent event, long now) {
        String key = event.getConversationId();
        return cause == null ? new Record<>(key, event, now) : cause.withKey(key).withValue(event);
    }

    /** Forwards an agent event carrying the current trace context (the router span that caused it) as traceparent. */
    private void forward(Record<String, AgentEvent> record) {
        if (tracing.enabled()) {
            Headers headers = new RecordHeaders(record.headers().toArray());
            tracing.inject(Context.current(), headers);
            record = record.withHeaders(headers);
        }
        context.forward(record);
        metrics.out(typeOf(record.value()));
    }

    static String typeOf(InboundEvent event) {
        return SessionRules.typeOf(event);
    }

    static String typeOf(AgentEvent event) {
        return event.getPayload() == null ? "none" : event.getPayload().getClass().getSimpleName();
    }

    private static Duration clamp(Duration value, Duration min, Duration max) {
        return value.compareTo(min) < 0 ? min : value.compareTo(max) > 0 ? max : value;
    }
}
