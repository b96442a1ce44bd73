package io.switchboard.ingress.voice;

import io.switchboard.events.Source;
import io.switchboard.events.inbound.CallEndReason;
import io.switchboard.events.inbound.CallEnded;
import io.switchboard.ids.EventIds;
import io.switchboard.ingress.InboundEvents;
import io.switchboard.ingress.InboundPublisher;
import io.switchboard.ingress.WebhookLimit;
import io.switchboard.ingress.http.Forms;
import io.switchboard.ingress.http.ServerSpans;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * {@code POST /conversation-relay-callback}: Twilio reports how the relay session ended (and the HandoffData of an
 * {@code end} frame). Signed (the route's signature gate checks it first), from the configured account only; answered with TwiML once Kafka has the event.
 */
public final class ActionCallbackHandler implements Handler<RoutingContext> {
    private static final Logger log = LoggerFactory.getLogger(ActionCallbackHandler.class);

    private final InboundPublisher publisher;
    private final String accountSid;
    private final CallbackTwiml twiml;
    private final RelaySessions sessions;

    public ActionCallbackHandler(InboundPublisher publisher, String accountSid) {
        this(publisher, accountSid, CallbackTwiml.hangUp(), new RelaySessions());
    }

    /**
     * {@code sessions} knows the conversation id each recent call of this instance was keyed by (the Orchestrator
     * id of an orchestrated call): the callback, which carries only the CallSid, is published under it so the router
     * finds the call's session.
     */
    public ActionCallbackHandler(InboundPublisher publisher, String accountSid, CallbackTwiml twiml,
                                 RelaySessions sessions) {
        this.publisher = publisher;
        this.accountSid = accountSid;
        this.twiml = twiml;
        this.sessions = sessions;
    }

    @Override
    public void handle(RoutingContext ctx) {
        Forms.requireWellFormed(ctx); // else a MalformedInput: the route's failure handler answers 400
        Map<String, String> form = Forms.params(ctx);
        if (!accountSid.equals(form.get("AccountSid"))) {
            log.warn("Relay callback for another account refused");
            ctx.response().setStatusCode(403).end("Unknown AccountSid");
            return;
        }
        String callSid = form.get("CallSid");
        if (callSid == null || callSid.isBlank()) {
            ctx.response().setStatusCode(400).end("CallSid is required");
            return;
        }
        Long duration;
        try {
            String value = form.get("SessionDuration");
            duration = value == null || value.isBlank() ? null : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            ctx.response().setStatusCode(400).end("SessionDuration must be a number");
            return;
        }
        CallEnded ended = CallEnded.newBuilder()
                .setReason(CallEndReason.ACTION_CALLBACK)
                .setCallSid(callSid)
                .setSessionId(blankToNull(form.get("SessionId")))
                .setAccountSid(form.get("AccountSid"))
                .setCallStatus(blankToNull(form.get("CallStatus")))
                .setSessionStatus(blankToNull(form.get("SessionStatus")))
                .setSessionDurationSeconds(duration)
                .setHandoffData(blankToNull(form.get("HandoffData")))
                .setErrorCode(blankToNull(form.get("ErrorCode")))
                .setErrorMessage(blankToNull(form.get("ErrorMessage")))
                .build();
        // The socket may have closed on another instance (or before a restart): then the call SID is the best key;
        // for an orchestrated call the router then finds no session (the socket's own CallEnded already ended the call).
        String known = sessions.conversationOf(callSid);
        String conversationId = known != null ? known : callSid;
        MDC.put("conversationId", conversationId);
        log.info("Relay session of call {} ended: {} / {}{}", callSid, ended.getSessionStatus(), ended.getCallStatus(),
                ended.getHandoffData() == null ? "" : twiml.routesHandoffs() ? ", handed off" : ", handoff without a route: hanging up");
        MDC.remove("conversationId");
        ServerSpans.describe(ctx, conversationId, "VOICE");
        publisher.publishWebhook(InboundEvents.of(EventIds.derived(callSid, "callback"), conversationId, Source.RELAY, ended),
                        ServerSpans.context(ctx))
                .onSuccess(v -> ctx.response().putHeader("Content-Type", "text/xml")
                        .end(twiml.answer(ended.getHandoffData())))
                .onFailure(e -> {
                    if (!(e instanceof WebhookLimit.Saturated)) {
                        log.warn("Relay callback of {} not acknowledged by Kafka: {}", callSid, e.toString());
                    }
                    ctx.response().setStatusCode(503).putHeader("Retry-After", "1").end("Try again");
                });
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
