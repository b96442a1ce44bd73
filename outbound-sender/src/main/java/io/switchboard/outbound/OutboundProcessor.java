package io.switchboard.outbound;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.switchboard.channel.ChannelTraits;
import io.switchboard.deadletter.DeadLetters;
import io.switchboard.events.Channel;
import io.switchboard.events.DeadLetter;
import io.switchboard.events.DeliveryEvent;
import io.switchboard.events.DeliveryStatus;
import io.switchboard.events.Handoff;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.Typing;
import io.switchboard.events.VoiceFrame;
import io.switchboard.ids.EventIds;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.kafka.PayloadType;
import io.switchboard.logging.Redaction;
import io.switchboard.outbound.handoff.HandoffData;
import io.switchboard.outbound.messaging.MessagingSender;
import io.switchboard.outbound.messaging.SendResult;
import io.switchboard.outbound.voice.VoiceFrames;
import io.switchboard.outreach.Outreach;
import io.switchboard.topics.Topic;
import io.switchboard.tracing.Messaging;
import io.switchboard.tracing.Tracing;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * What the sender does with one tac.outbound.v1 record, independent of how records are consumed:
 * {@link #handle} completes once every record the event causes (voice frame, delivery event, dead letter) has been
 * handed to the {@link Emitter}. Voice is routed at once on the calling thread (no I/O), except the handoff of an
 * Orchestrator call, whose Twilio calls run on the worker executor first; messaging runs the blocking Twilio calls on
 * the worker executor. Duplicates (an event id already sent) are dropped.
 */
final class OutboundProcessor {
    private static final Logger log = LoggerFactory.getLogger(OutboundProcessor.class);
    static final String SERVICE = "outbound-sender";

    /** Receives the records to write, with the outbound partition they come from. */
    interface Emitter {
        /** A record written with the offset commit (delivery events, dead letters). */
        void emit(int originPartition, ProducerRecord<String, byte[]> record);

        /** A voice frame, written at once: the socket is waiting for it. */
        void emitNow(ProducerRecord<String, byte[]> record);
    }

    private final Deserializer<OutboundEvent> outbound;
    private final Serializer<VoiceFrame> frames;
    private final Serializer<DeliveryEvent> deliveries;
    private final Serializer<DeadLetter> deadLetters;
    private final MessagingSender messaging;
    private final SentLedger ledger;
    private final Emitter emitter;
    private final Executor workers;
    private final OutboundMetrics metrics;
    private final int egressPartitions;
    private final Tracing tracing;
    private final String group;
    private static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("switchboard.twilio.attempts");

    OutboundProcessor(KafkaClients clients, MessagingSender messaging, SentLedger ledger, Emitter emitter,
                      Executor workers, OutboundMetrics metrics) {
        this(clients, messaging, ledger, emitter, workers, metrics, Tracing.OFF, null);
    }

    OutboundProcessor(KafkaClients clients, MessagingSender messaging, SentLedger ledger, Emitter emitter,
                      Executor workers, OutboundMetrics metrics, Tracing tracing, String group) {
        this.tracing = tracing;
        this.group = group;
        this.outbound = clients.serdes().forType(OutboundEvent.class).deserializer();
        this.frames = clients.serdes().forType(VoiceFrame.class).serializer();
        this.deliveries = clients.serdes().forType(DeliveryEvent.class).serializer();
        this.deadLetters = clients.serdes().forType(DeadLetter.class).serializer();
        this.messaging = messaging;
        this.ledger = ledger;
        this.emitter = emitter;
        this.workers = workers;
        this.metrics = metrics;
        this.egressPartitions = clients.settings().voiceEgressPartitions();
    }

    /**
     * Handles one record under its CONSUMER span ({@code process tac.outbound.v1}, continuing the reply's trace),
     * current on whichever thread does the work, and ended when the record is handled.
     */
    CompletionStage<Void> handle(ConsumerRecord<String, byte[]> record) {
        if (!tracing.enabled()) {
            return handleRecord(record);
        }
        Span span = tracing.process(record.topic(), record.partition(), record.offset(), record.key(), group,
                record.headers());
        CompletionStage<Void> done;
        try (Scope ignored = span.makeCurrent()) {
            done = handleRecord(record);
        } catch (RuntimeException e) {
            Messaging.failed(span, e);
            span.end();
            throw e;
        }
        return done.whenComplete((v, e) -> {
            if (e != null) {
                Messaging.failed(span, e);
            }
            span.end();
        });
    }

    private CompletionStage<Void> handleRecord(ConsumerRecord<String, byte[]> record) {
        Executor workers = tracing.enabled() ? Context.current().wrap(this.workers) : this.workers;
        OutboundEvent event;
        try {
            event = outbound.deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            log.warn("Unreadable outbound record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.toString());
            deadLetter(record, null, EventIds.derived(record.topic(), Integer.toString(record.partition()),
                    Long.toString(record.offset()), "dlq"), e.getClass().getName(), String.valueOf(e.getMessage()));
            return CompletableFuture.completedFuture(null);
        }
        if (ledger.contains(record.partition(), event.getEventId())) {
            metrics.duplicate(event.getSession().getChannel());
            log.debug("Dropping duplicate outbound event {}", event.getEventId());
            return CompletableFuture.completedFuture(null);
        }
        if (event.getPayload() instanceof Typing typing) {
            withMdc(event, () -> showTyping(record, event, typing));
            return CompletableFuture.completedFuture(null);
        }
        String outreach = Outreach.kind(event);
        if (outreach != null) {
            return CompletableFuture.runAsync(
                    () -> withMdc(event, () -> guarded(record, event, () -> startOutreach(record, event, outreach))), workers);
        }
        if (event.getSession().getChannel() == Channel.VOICE) {
            if (event.getPayload() instanceof Handoff && VoiceFrames.orchestrated(event.getSession())) {
                // TAC releases the Orchestrator conversation before the end frame. Those Twilio calls run on a
                // worker: this call's later events wait (per-conversation order), other calls' frames do not.
                return CompletableFuture.runAsync(() -> withMdc(event, () -> guarded(record, event, () -> {
                    messaging.releaseForHandoff(event.getConversationId());
                    routeVoice(record, event);
                })), workers);
            }
            withMdc(event, () -> guarded(record, event, () -> routeVoice(record, event)));
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.runAsync(
                () -> withMdc(event, () -> guarded(record, event, () -> sendMessage(record, event))), workers);
    }

    /** A bug or a bad record must not vanish: it becomes a failed delivery and a dead letter. */
    private void guarded(ConsumerRecord<String, byte[]> record, OutboundEvent event, Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            log.error("Outbound event {} could not be handled", event.getEventId(), e);
            finish(record, event, delivery(event, DeliveryStatus.FAILED, 0, null, null, null, e.toString()));
            deadLetter(record, event.getConversationId(), EventIds.derived(event.getEventId(), "dlq"),
                    e.getClass().getName(), String.valueOf(e.getMessage()));
        }
    }

    private void routeVoice(ConsumerRecord<String, byte[]> record, OutboundEvent event) {
        Integer partition = VoiceFrames.partition(event.getSession());
        if (partition == null || partition < 0 || partition >= egressPartitions) {
            String reason = "No ingress instance for the call (session.ingressInstance=" + partition + ")";
            finish(record, event, delivery(event, DeliveryStatus.FAILED, 0, null, null, null, reason));
            deadLetter(record, event.getConversationId(), EventIds.derived(event.getEventId(), "dlq"),
                    IllegalStateException.class.getName(), reason);
            return;
        }
        String topic = Topic.VOICE_EGRESS.topicName();
        VoiceFrame frame = VoiceFrames.frame(event, messaging.memoryStoreId());
        emitter.emitNow(new ProducerRecord<>(topic, partition, frame.getCallSid(), frames.serialize(topic, frame)));
        metrics.voiceFrame(partition);
        finish(record, event, delivery(event, DeliveryStatus.SENT, 1, null, null, null, null));
    }

    /**
     * A typing indicator is best effort and never in a reply's way: the call runs on a worker without holding back
     * the conversation's next event (the reply it announces), is made once, and a failure is logged and counted only
     * (no delivery event, no dead letter). Channels without indicators (all but WhatsApp) are skipped.
     */
    private void showTyping(ConsumerRecord<String, byte[]> record, OutboundEvent event, Typing typing) {
        ledger.add(record.partition(), event.getEventId());
        if (!ChannelTraits.of(event.getSession().getChannel()).typingIndicator()) {
            log.debug("No typing indicator on {}", event.getSession().getChannel());
            metrics.typingIndicator("unsupported");
            return;
        }
        CompletableFuture.runAsync(() -> withMdc(event, () -> {
            try {
                messaging.showTypingIndicator(typing.getMessageId());
                metrics.typingIndicator("sent");
            } catch (RuntimeException e) {
                log.warn("Typing indicator for message {} failed: {}", typing.getMessageId(), e.toString());
                metrics.typingIndicator("failed");
            }
        }), workers);
    }

    private void startOutreach(ConsumerRecord<String, byte[]> record, OutboundEvent event, String kind) {
        boolean call = Outreach.CALL.equals(kind) || event.getSession().getChannel() == Channel.VOICE;
        if (!call && !Outreach.CONVERSATION.equals(kind) || !(event.getPayload() instanceof Reply)) {
            String reason = "Unknown outreach request " + kind + " with " + event.getPayload().getClass().getSimpleName();
            finish(record, event, delivery(event, DeliveryStatus.FAILED, 0, null, null, null, reason));
            deadLetter(record, event.getConversationId(), EventIds.derived(event.getEventId(), "dlq"),
                    IllegalArgumentException.class.getName(), reason);
            return;
        }
        report(record, event, twilioCall(call ? "call" : "conversation", event,
                () -> call ? messaging.placeCall(event) : messaging.startConversation(event)));
    }

    private void sendMessage(ConsumerRecord<String, byte[]> record, OutboundEvent event) {
        if (event.getPayload() instanceof Handoff handoff) {
            handOff(record, event, handoff);
            return;
        }
        if (!(event.getPayload() instanceof Reply)) {
            String reason = event.getPayload().getClass().getSimpleName() + " is not supported on "
                    + event.getSession().getChannel();
            finish(record, event, delivery(event, DeliveryStatus.FAILED, 0, null, null, null, reason));
            deadLetter(record, event.getConversationId(), EventIds.derived(event.getEventId(), "dlq"),
                    UnsupportedOperationException.class.getName(), reason);
            return;
        }
        report(record, event, twilioCall("message", event, () -> messaging.send(event)), null);
    }

    /**
     * A Twilio API call as a CLIENT span ({@code POST Twilio <what>}): its HTTP status and attempts; the retrier adds
     * each retry as an event while the span is current. Ids and statuses only, never the text or an address.
     */
    private SendResult twilioCall(String what, OutboundEvent event, java.util.function.Supplier<SendResult> call) {
        if (!tracing.enabled()) {
            return call.get();
        }
        Span span = tracing.tracer().spanBuilder("POST Twilio " + what).setSpanKind(SpanKind.CLIENT)
                .setAttribute("http.request.method", "POST")
                .setAttribute(Messaging.CONVERSATION_ID, event.getConversationId())
                .setAttribute(Messaging.CHANNEL, event.getSession().getChannel().name())
                .startSpan();
        try (Scope ignored = span.makeCurrent()) {
            SendResult result = call.get();
            span.setAttribute(ATTEMPTS, (long) result.attempts());
            Integer status = result.sent() ? result.httpStatus() : result.failure().httpStatus();
            if (status != null) {
                span.setAttribute(HTTP_STATUS, (long) status);
            }
            if (!result.sent()) {
                Messaging.failed(span, result.failure());
            }
            return result;
        } catch (RuntimeException e) {
            Messaging.failed(span, e);
            throw e;
        } finally {
            span.end();
        }
    }

    /**
     * A messaging handoff. Its delivery event carries the HandoffData (TAC's shape, {@link HandoffData}, the builder the voice end frame uses too)
     * whatever the outcome: the router ends the session on a SENT one and tells the agent on a FAILED one. Without a
     * Studio flow nobody would take the conversation, so it is refused without any Twilio call (defence in depth: the
     * SDK refuses it first); a refusal is configuration, not a record to re-drive, so it is not dead-lettered.
     */
    private void handOff(ConsumerRecord<String, byte[]> record, OutboundEvent event, Handoff handoff) {
        String handoffData = HandoffData.json(event, handoff, messaging.memoryStoreId());
        if (!messaging.handoffConfigured()) {
            String reason = "Handoff refused: no Studio flow configured (TWILIO_STUDIO_HANDOFF_FLOW_SID is unset), "
                    + "so nobody would take the conversation; it stays with the agent";
            log.warn("Outbound event {}: {}", event.getEventId(), reason);
            DeliveryEvent refused = delivery(event, DeliveryStatus.FAILED, 0, null, null, null, reason);
            refused.setHandoffData(handoffData);
            finish(record, event, refused);
            return;
        }
        report(record, event, twilioCall("handoff", event, () -> messaging.handoff(event, handoffData)), handoffData);
    }

    private void report(ConsumerRecord<String, byte[]> record, OutboundEvent event, SendResult result) {
        report(record, event, result, null);
    }

    private void report(ConsumerRecord<String, byte[]> record, OutboundEvent event, SendResult result,
                        String handoffData) {
        String twilioIds = result.twilioIds().isEmpty() ? null : String.join(",", result.twilioIds());
        String what = handoffData != null ? "Handoff" : "Reply";
        if (result.sent()) {
            log.info("Sent {} {} to {} on {} in {} attempt(s)", what.toLowerCase(Locale.ROOT), event.getEventId(),
                    Redaction.mask(event.getSession().getFrom()), event.getSession().getChannel(), result.attempts());
            DeliveryEvent sent = delivery(event, DeliveryStatus.SENT, result.attempts(), twilioIds, result.httpStatus(), null, null);
            sent.setHandoffData(handoffData);
            finish(record, event, sent);
            return;
        }
        var failure = result.failure();
        log.warn("{} {} failed after {} attempt(s): status {}, code {}: {}", what, event.getEventId(), result.attempts(),
                failure.httpStatus(), failure.errorCode(), failure.getMessage());
        DeliveryEvent failed = delivery(event, DeliveryStatus.FAILED, result.attempts(), twilioIds,
                failure.httpStatus(), failure.errorCode(), failure.getMessage());
        failed.setHandoffData(handoffData);
        finish(record, event, failed);
        deadLetter(record, event.getConversationId(), EventIds.derived(event.getEventId(), "dlq"),
                failure.getClass().getName() + "/" + failure.kind(),
                "HTTP " + failure.httpStatus() + ", Twilio error " + failure.errorCode() + ": " + failure.getMessage());
    }

    /** Writes the delivery event (the durable record that the event was handled) and remembers the id. */
    private void finish(ConsumerRecord<String, byte[]> record, OutboundEvent event, DeliveryEvent delivery) {
        String topic = Topic.DELIVERY.topicName();
        ProducerRecord<String, byte[]> out = new ProducerRecord<>(topic, record.partition(), event.getConversationId(),
                deliveries.serialize(topic, delivery));
        // named by the outbound payload it reports on: the router decodes only the deliveries of handoffs
        PayloadType.set(out.headers(), event.getPayload());
        tracing.inject(Context.current(), out.headers());
        emitter.emit(record.partition(), out);
        ledger.add(record.partition(), event.getEventId());
        metrics.delivery(delivery.getStatus());
    }

    private static DeliveryEvent delivery(OutboundEvent event, DeliveryStatus status, int attempts, String twilioId,
                                          Integer httpStatus, Integer errorCode, String errorMessage) {
        return DeliveryEvent.newBuilder().setEventId(EventIds.derived(event.getEventId(), "delivery"))
                .setConversationId(event.getConversationId()).setOccurredAt(Instant.now())
                .setTraceId(event.getTraceId()).setOutboundEventId(event.getEventId())
                .setChannel(event.getSession().getChannel()).setStatus(status).setAttempts(attempts)
                .setTwilioId(twilioId).setHttpStatus(httpStatus).setErrorCode(errorCode)
                .setErrorMessage(errorMessage).build();
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, String conversationId, String eventId,
                            String errorClass, String errorMessage) {
        String topic = Topic.DEAD_LETTER.topicName();
        DeadLetter letter = DeadLetters.of(eventId, SERVICE, DeadLetters.Origin.of(record.topic(), record.partition(),
                record.offset(), record.key(), record.value()), conversationId, errorClass, errorMessage);
        emitter.emit(record.partition(), new ProducerRecord<>(topic, record.key(), deadLetters.serialize(topic, letter)));
        metrics.deadLetter();
    }

    private static void withMdc(OutboundEvent event, Runnable work) {
        MDC.put("conversationId", event.getConversationId());
        try {
            work.run();
        } finally {
            MDC.remove("conversationId");
        }
    }
}
