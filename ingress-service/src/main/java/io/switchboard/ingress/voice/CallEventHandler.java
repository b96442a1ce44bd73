package io.switchboard.ingress.voice;

import io.switchboard.events.Source;
import io.switchboard.events.call.AmdResult;
import io.switchboard.events.call.CallStatus;
import io.switchboard.events.call.RecordingStatus;
import io.switchboard.ids.EventIds;
import io.switchboard.ingress.InboundEvents;
import io.switchboard.ingress.InboundPublisher;
import io.switchboard.ingress.WebhookLimit;
import io.switchboard.ingress.http.Forms;
import io.switchboard.ingress.http.MalformedInput;
import io.switchboard.ingress.http.ServerSpans;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * TAC's call event callbacks, {@code {TWILIO_VOICE_CALL_EVENT_PATH}/status|amd|recording}: Twilio's call status,
 * asynchronous answering machine detection and recording status callbacks (the parameters of Twilio's Voice
 * documentation) become {@link CallStatus}, {@link AmdResult} and {@link RecordingStatus} on tac.inbound.v1. Signed
 * (the route's gate checks first), from the configured account only; answered 204 once Kafka has the event. Keyed
 * like the action callback: the conversation id this instance's socket of the call used, else the CallSid (an
 * agent-placed call that was never answered has no socket, and its conversation id is its CallSid).
 */
public final class CallEventHandler implements Handler<RoutingContext> {
    private static final Logger log = LoggerFactory.getLogger(CallEventHandler.class);

    /** Which callback a route receives. */
    public enum Kind { STATUS, AMD, RECORDING }

    private final Kind kind;
    private final InboundPublisher publisher;
    private final String accountSid;
    private final RelaySessions sessions;

    public CallEventHandler(Kind kind, InboundPublisher publisher, String accountSid, RelaySessions sessions) {
        this.kind = kind;
        this.publisher = publisher;
        this.accountSid = accountSid;
        this.sessions = sessions;
    }

    @Override
    public void handle(RoutingContext ctx) {
        Forms.requireWellFormed(ctx);
        Map<String, String> form = Forms.params(ctx);
        if (!accountSid.equals(form.get("AccountSid"))) {
            log.warn("Call event ({}) for another account refused", kind);
            ctx.response().setStatusCode(403).end("Unknown AccountSid");
            return;
        }
        String callSid = required(form, "CallSid");
        Object payload;
        String eventId;
        switch (kind) {
            case STATUS -> {
                CallStatus status = CallStatus.newBuilder()
                        .setCallSid(callSid)
                        .setCallStatus(required(form, "CallStatus"))
                        .setAccountSid(form.get("AccountSid"))
                        .setFrom(optional(form, "From"))
                        .setTo(optional(form, "To"))
                        .setDirection(optional(form, "Direction"))
                        .setCallDurationSeconds(number(form, "CallDuration"))
                        .setSequenceNumber(integer(form, "SequenceNumber"))
                        .setTimestamp(optional(form, "Timestamp"))
                        .setCallbackSource(optional(form, "CallbackSource"))
                        .setAnsweredBy(optional(form, "AnsweredBy"))
                        .setSipResponseCode(optional(form, "SipResponseCode"))
                        .setParentCallSid(optional(form, "ParentCallSid"))
                        .build();
                // a retried callback repeats status and sequence number: the same id, dropped downstream
                eventId = EventIds.derived(callSid, "status", status.getCallStatus(),
                        Objects.toString(status.getSequenceNumber(), ""));
                payload = status;
            }
            case AMD -> {
                AmdResult amd = AmdResult.newBuilder()
                        .setCallSid(callSid)
                        .setAnsweredBy(required(form, "AnsweredBy"))
                        .setAccountSid(form.get("AccountSid"))
                        .setMachineDetectionDurationMs(number(form, "MachineDetectionDuration"))
                        .build();
                eventId = EventIds.derived(callSid, "amd");
                payload = amd;
            }
            default -> {
                RecordingStatus recording = RecordingStatus.newBuilder()
                        .setCallSid(callSid)
                        .setRecordingSid(required(form, "RecordingSid"))
                        .setRecordingStatus(required(form, "RecordingStatus"))
                        .setAccountSid(form.get("AccountSid"))
                        .setRecordingUrl(optional(form, "RecordingUrl"))
                        .setRecordingDurationSeconds(number(form, "RecordingDuration"))
                        .setRecordingChannels(integer(form, "RecordingChannels"))
                        .setRecordingSource(optional(form, "RecordingSource"))
                        .setRecordingStartTime(optional(form, "RecordingStartTime"))
                        .setErrorCode(optional(form, "ErrorCode"))
                        .build();
                eventId = EventIds.derived(callSid, "recording", recording.getRecordingSid(),
                        recording.getRecordingStatus());
                payload = recording;
            }
        }
        String known = sessions.conversationOf(callSid);
        String conversationId = known != null ? known : callSid;
        MDC.put("conversationId", conversationId);
        log.info("Call event {} of call {}", kind, callSid);
        MDC.remove("conversationId");
        ServerSpans.describe(ctx, conversationId, "VOICE");
        publisher.publishWebhook(InboundEvents.of(eventId, conversationId, Source.RELAY, payload), ServerSpans.context(ctx))
                .onSuccess(v -> ctx.response().setStatusCode(204).end())
                .onFailure(e -> {
                    if (!(e instanceof WebhookLimit.Saturated)) {
                        log.warn("Call event of {} not acknowledged by Kafka: {}", callSid, e.toString());
                    }
                    ctx.response().setStatusCode(503).putHeader("Retry-After", "1").end("Try again");
                });
    }

    private static String required(Map<String, String> form, String name) {
        String value = optional(form, name);
        if (value == null) {
            throw new MalformedInput(name + " is required");
        }
        return value;
    }

    private static String optional(Map<String, String> form, String name) {
        String value = form.get(name);
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static Long number(Map<String, String> form, String name) {
        String value = optional(form, name);
        try {
            return value == null ? null : Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new MalformedInput(name + " must be a number");
        }
    }

    private static Integer integer(Map<String, String> form, String name) {
        Long value = number(form, name);
        if (value != null && (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE)) {
            throw new MalformedInput(name + " is out of range");
        }
        return value == null ? null : value.intValue();
    }
}
