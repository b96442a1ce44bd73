package io.switchboard.agent;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.switchboard.channel.ChannelTraits;
import io.switchboard.deadletter.DeadLetters;
import io.switchboard.events.AgentEvent;
import io.switchboard.events.Channel;
import io.switchboard.events.DeadLetter;
import io.switchboard.events.Memory;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.agent.AgentDtmf;
import io.switchboard.events.agent.AgentInterrupt;
import io.switchboard.events.agent.CallConnected;
import io.switchboard.events.agent.ConversationEnded;
import io.switchboard.events.agent.HandoffFailed;
import io.switchboard.events.agent.MessageReady;
import io.switchboard.events.call.AmdResult;
import io.switchboard.events.call.CallStatus;
import io.switchboard.events.call.RecordingStatus;
import io.switchboard.ids.EventIds;
import io.switchboard.kafka.ordered.RecordHandler;
import io.switchboard.topics.Topic;
import io.switchboard.tracing.Messaging;
import io.switchboard.tracing.Tracing;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Turns agent events into callback invocations. Interrupts are looked at twice: when polled ({@link #arrived}),
 * where they cancel the running message handler of their conversation (which the interrupt record would otherwise
 * wait behind, strict per-conversation order) and mark earlier messages still waiting as stale; and in order
 * ({@link #handle}), where {@code onInterrupt} runs.
 */
final class AgentRuntime implements RecordHandler<AgentEvent> {
    private static final Logger log = LoggerFactory.getLogger(AgentRuntime.class);
    private static final AttributeKey<Long> REPLY_SEQUENCE = AttributeKey.longKey("switchboard.reply.sequence");
    private static final AttributeKey<Boolean> REPLY_LAST = AttributeKey.booleanKey("switchboard.reply.last");
    private static final Memory NO_MEMORY = Memory.newBuilder().setObservations(List.of()).setSummaries(List.of())
            .setCommunications(List.of()).build();

    final AgentConfig config;
    final AgentMetrics metrics;
    final ExecutorService pool;
    final ScheduledExecutorService scheduler;
    private final SwitchboardAgent.Callbacks callbacks;
    private final Producer<String, OutboundEvent> outbound;
    private final Producer<String, DeadLetter> deadLetters;
    private final Serializer<AgentEvent> agentSerializer;
    /** The running message handler of each conversation. */
    private final ConcurrentHashMap<String, Invocation> running = new ConcurrentHashMap<>();
    /** Per conversation, the offset of the latest interrupt polled and not yet handled. */
    private final ConcurrentHashMap<String, Long> interrupts = new ConcurrentHashMap<>();
    private final Copies copies = new Copies();
    private final SessionDirectory sessions;
    final Tracing tracing;

    AgentRuntime(AgentConfig config, AgentMetrics metrics, ExecutorService pool, ScheduledExecutorService scheduler,
                 SwitchboardAgent.Callbacks callbacks, Producer<String, OutboundEvent> outbound,
                 Producer<String, DeadLetter> deadLetters, Serializer<AgentEvent> agentSerializer,
                 SessionDirectory sessions, Tracing tracing) {
        this.tracing = tracing;
        this.config = config;
        this.metrics = metrics;
        this.pool = pool;
        this.scheduler = scheduler;
        this.callbacks = callbacks;
        this.outbound = outbound;
        this.deadLetters = deadLetters;
        this.agentSerializer = agentSerializer;
        this.sessions = sessions;
    }

    @Override
    public void arrived(ConsumerRecord<String, AgentEvent> record) {
        if (!(record.value().getPayload() instanceof AgentInterrupt) || copies.isCopy(record, record.value().getEventId())) {
            return;
        }
        String conversation = record.value().getConversationId();
        interrupts.merge(conversation, record.offset(), Math::max);
        Invocation current = running.get(conversation);
        if (current != null && current.offset() < record.offset()) {
            current.cancel();
        }
    }

    @Override
    public CompletionStage<?> handle(ConsumerRecord<String, AgentEvent> record) {
        AgentEvent event = record.value();
        String conversation = event.getConversationId();
        if (copies.isCopy(record, event.getEventId())) {
            metrics.copies.increment();
            log.debug("Agent event {} of {} seen before (a replayed router transaction); dropped", event.getEventId(),
                    conversation);
            return null;
        }
        sessions.seen(event);
        Session session = Session.of(event.getSession());
        Object payload = event.getPayload();
        if (payload instanceof MessageReady ready) {
            return message(record, session, ready);
        }
        if (payload instanceof AgentInterrupt interrupt) {
            interrupts.remove(conversation, record.offset());
            if (callbacks.interrupt() == null) {
                return null;
            }
            return new Invocation(this, record, "interrupt", -1, box -> {
                callbacks.interrupt().onInterrupt(session, Interrupt.of(interrupt));
                box.handlerReturned();
                return null;
            }).run();
        }
        if (payload instanceof AgentDtmf dtmf) {
            if (callbacks.dtmf() == null) {
                return null;
            }
            return new Invocation(this, record, "dtmf", -1, box -> {
                String text = callbacks.dtmf().onDtmf(session, dtmf.getDigit());
                if (text != null) {
                    box.sendResponse(text);
                }
                box.handlerReturned();
                return null;
            }).run();
        }
        if (payload instanceof ConversationEnded ended) {
            interrupts.remove(conversation);
            if (callbacks.ended() == null) {
                return null;
            }
            return new Invocation(this, record, "ended", -1, box -> {
                callbacks.ended().onConversationEnded(session, Ended.of(ended));
                box.handlerReturned();
                return null;
            }).run();
        }
        if (payload instanceof HandoffFailed failed) {
            log.warn("Handoff of {} failed: {}", conversation, failed.getReason());
            if (callbacks.handoffFailed() == null) {
                return null;
            }
            return new Invocation(this, record, "handoff-failed", -1, box -> {
                String text = callbacks.handoffFailed().onHandoffFailed(session, failed.getReason());
                if (text != null) {
                    box.sendResponse(text);
                }
                box.handlerReturned();
                return null;
            }).run();
        }
        if (payload instanceof CallConnected connected) {
            if (callbacks.callStarted() == null) {
                return null;
            }
            // turn -1: not tied to a prompt, so no interrupt makes its frames stale
            return new Invocation(this, record, "call-started", -1, box -> {
                callbacks.callStarted().onCallStarted(session, CallSetup.of(connected), box);
                box.handlerReturned();
                return null;
            }).run();
        }
        if (payload instanceof CallStatus status) {
            return callEvent(record, "call-status", callbacks.callStatus() == null ? null
                    : box -> callbacks.callStatus().onCallStatus(session, status, box));
        }
        if (payload instanceof AmdResult amd) {
            return callEvent(record, "amd", callbacks.amd() == null ? null
                    : box -> callbacks.amd().onAmd(session, amd, box));
        }
        if (payload instanceof RecordingStatus recording) {
            return callEvent(record, "recording", callbacks.recording() == null ? null
                    : box -> callbacks.recording().onRecording(session, recording, box));
        }
        log.warn("Unknown agent event payload {}", payload == null ? null : payload.getClass().getName());
        return null;
    }

    /** What a call event callback does with the outbox it is given. */
    @FunctionalInterface
    private interface CallEventBody {
        void run(Outbox box) throws Exception;
    }

    /** A call event callback, not tied to a prompt (turn -1); nothing when the agent did not register it. */
    private CompletionStage<?> callEvent(ConsumerRecord<String, AgentEvent> record, String kind, CallEventBody body) {
        if (body == null) {
            return null;
        }
        return new Invocation(this, record, kind, -1, box -> {
            body.run(box);
            box.handlerReturned();
            return null;
        }).run();
    }

    private CompletionStage<?> message(ConsumerRecord<String, AgentEvent> record, Session session, MessageReady ready) {
        if (!callbacks.hasMessageHandler()) {
            return null;
        }
        String conversation = session.conversationId();
        Message message = Message.of(ready);
        Memory memory = ready.getMemory() == null ? NO_MEMORY : ready.getMemory();
        long turn = session.channel() == Channel.VOICE ? ready.getTurn() : -1;
        Invocation invocation = new Invocation(this, record, "message", turn, box -> {
            typingIndicatorIfSlow(box, session, ready);
            if (callbacks.blocking() != null) {
                String text = callbacks.blocking().onMessage(message, session, memory);
                if (text != null) {
                    box.sendResponse(text);
                }
                box.handlerReturned();
                return null;
            }
            if (callbacks.replying() != null) {
                callbacks.replying().onMessage(message, session, memory, box);
                box.handlerReturned();
                return null;
            }
            CompletionStage<String> stage = callbacks.async().onMessage(message, session, memory);
            stage.whenComplete((text, error) -> {
                if (error == null) {
                    if (text != null) {
                        box.sendResponse(text);
                    }
                    box.handlerReturned();
                }
            });
            return stage;
        });
        // Register first, then look for an interrupt: arrived() does the reverse, so one of them sees the other.
        running.put(conversation, invocation);
        Long interruptedAt = interrupts.get(conversation);
        if (interruptedAt != null && interruptedAt > record.offset()) {
            running.remove(conversation, invocation);
            metrics.skipped.increment();
            MDC.put("conversationId", conversation);
            log.info("Message {} skipped: the caller interrupted after it", ready.getMessageId());
            MDC.remove("conversationId");
            return null;
        }
        CompletableFuture<Void> done = invocation.run();
        done.whenComplete((v, e) -> running.remove(conversation, invocation));
        return done;
    }

    /**
     * With {@code SWITCHBOARD_AGENT_TYPING_INDICATOR}, on a channel that has one (WhatsApp), asks for a typing
     * indicator once the handler has sent nothing for the configured delay. The timer never holds the reply back.
     */
    private void typingIndicatorIfSlow(Outbox box, Session session, MessageReady ready) {
        if (!config.typingIndicator() || ready.getChannelId() == null
                || !ChannelTraits.of(session.channel()).typingIndicator()) {
            return;
        }
        ScheduledFuture<?> timer = scheduler.schedule(() -> box.typing(ready.getChannelId()),
                config.typingIndicatorDelay().toMillis(), TimeUnit.MILLISECONDS);
        box.settled().whenComplete((v, e) -> timer.cancel(false));
    }

    /** A record that is not an AgentEvent we can read: dead-lettered as it is (blocking briefly: this is rare). */
    @Override
    public void undecodable(ConsumerRecord<String, byte[]> record, Exception error) {
        DeadLetter letter = DeadLetters.of(EventIds.derived(record.topic(), Integer.toString(record.partition()),
                        Long.toString(record.offset()), "dlq", config.groupId()), "agent:" + config.groupId(),
                DeadLetters.Origin.of(record.topic(), record.partition(), record.offset(), record.key(), record.value()),
                record.key(), error);
        try {
            deadLetters.send(new ProducerRecord<>(Topic.DEAD_LETTER.topicName(), record.key(), letter))
                    .get(10, TimeUnit.SECONDS);
            metrics.deadLetters.increment();
        } catch (Exception e) {
            log.error("Cannot dead-letter the undecodable record {}-{}@{}", record.topic(), record.partition(),
                    record.offset(), e);
        }
    }

    /**
     * Writes a reply record (a whole reply, or one streamed batch of tokens) with its {@code send tac.outbound.v1}
     * span under {@code trace} (the handler's), ended at Kafka's acknowledgement.
     */
    CompletableFuture<Void> produce(Context trace, OutboundEvent event) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        ProducerRecord<String, OutboundEvent> record = new ProducerRecord<>(config.outputTopic(), event.getConversationId(),
                event);
        Span span = tracing.send(trace, record.topic(), record.key());
        if (span.isRecording()) {
            span.setAttribute(Messaging.EVENT_TYPE, event.getPayload() == null ? "none"
                    : event.getPayload().getClass().getSimpleName());
            if (event.getPayload() instanceof io.switchboard.events.Reply reply) {
                span.setAttribute(REPLY_SEQUENCE, (long) reply.getSequence());
                span.setAttribute(REPLY_LAST, reply.getLast());
            }
        }
        tracing.inject(trace, span, record.headers());
        outbound.send(record, (metadata, error) -> {
            Messaging.acknowledged(span, metadata == null ? -1 : metadata.partition(),
                    metadata == null ? -1 : metadata.offset(), error);
            if (error == null) {
                metrics.produced.increment();
                acked.complete(null);
            } else {
                acked.completeExceptionally(error);
            }
        });
        return acked;
    }

    CompletableFuture<Void> deadLetter(ConsumerRecord<String, AgentEvent> record, Throwable error) {
        AgentEvent event = record.value();
        DeadLetter letter = DeadLetters.of(EventIds.derived(event.getEventId(), "dlq", config.groupId()),
                "agent:" + config.groupId(), DeadLetters.Origin.of(record.topic(), record.partition(), record.offset(),
                        record.key(), agentSerializer.serialize(record.topic(), event)), event.getConversationId(), error);
        CompletableFuture<Void> acked = new CompletableFuture<>();
        deadLetters.send(new ProducerRecord<>(Topic.DEAD_LETTER.topicName(), record.key(), letter), (m, e) -> {
            if (e == null) {
                metrics.deadLetters.increment();
                acked.complete(null);
            } else {
                acked.completeExceptionally(e);
            }
        });
        return acked;
    }
}
