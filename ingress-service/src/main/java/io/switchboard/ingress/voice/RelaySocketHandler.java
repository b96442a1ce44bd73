package io.switchboard.ingress.voice;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.switchboard.events.Source;
import io.switchboard.events.inbound.CallEndReason;
import io.switchboard.events.inbound.CallEnded;
import io.switchboard.events.inbound.CallStarted;
import io.switchboard.events.inbound.Interrupt;
import io.switchboard.events.inbound.Prompt;
import io.switchboard.events.inbound.RelayError;
import io.switchboard.ids.EventIds;
import io.switchboard.ingress.InboundEvents;
import io.switchboard.ingress.InboundPublisher;
import io.switchboard.ingress.IngressMetrics;
import io.switchboard.ingress.http.PublicServerOptions;
import io.switchboard.ingress.http.StrictJson;
import io.switchboard.logging.Redaction;
import io.switchboard.tracing.Messaging;
import io.switchboard.tracing.Tracing;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The ConversationRelay WebSocket's lifecycle: Twilio's upgrade (already past the {@link ForgedUpgradeGuard} and the
 * signature gate placed before this handler in the route), then each frame, decoded by {@link RelayProtocol}, turned into an inbound event produced in
 * the order received. A malformed, unknown or out-of-order frame is logged and produces nothing; the call goes on.
 *
 * <p>Abuse limits, checked in order of cost: an address that failed the signature {@code forgedUpgradesPerMinute}
 * times this minute gets 429 with Retry-After before any work ({@link ForgedUpgradeGuard}); a bad signature gets
 * 403; a valid upgrade while {@code maxSockets} relay sockets are open gets 503 with Retry-After. Each refusal is
 * counted in {@code switchboard.ingress.relay.upgrades.refused{reason=forged_budget|signature|capacity}}.
 */
public final class RelaySocketHandler implements Handler<RoutingContext> {
    private static final Logger log = LoggerFactory.getLogger(RelaySocketHandler.class);
    private static final String MAX_MESSAGE_HINT = "the WebSocket message size limit";

    private final Vertx vertx;
    private final InboundPublisher publisher;
    private final RelaySessions sessions;
    private final int instanceId;
    private final boolean orchestrated;
    /** Finds an orchestrated call's conversation; null in relay-only mode. */
    private final ConversationLookup lookup;
    private final AtomicInteger open = new AtomicInteger();
    private final int maxSockets;
    private final IngressMetrics metrics;
    private final Tracing tracing;

    /**
     * {@code lookup} (orchestrated mode) finds each call's Orchestrator conversation after {@code setup}; until it
     * answers, the socket's events wait, in order, and none is published under a provisional id. {@code maxSockets}
     * is the last abuse limit of the upgrade (see the class comment).
     */
    public RelaySocketHandler(Vertx vertx, InboundPublisher publisher, RelaySessions sessions, int instanceId,
            boolean orchestrated, ConversationLookup lookup, int maxSockets, IngressMetrics metrics) {
        this(vertx, publisher, sessions, instanceId, orchestrated, lookup, maxSockets, metrics, Tracing.OFF);
    }

    /** With a SERVER span per relay frame it publishes (a prompt's starts the voice turn's trace). */
    public RelaySocketHandler(Vertx vertx, InboundPublisher publisher, RelaySessions sessions, int instanceId,
            boolean orchestrated, ConversationLookup lookup, int maxSockets, IngressMetrics metrics, Tracing tracing) {
        this.tracing = tracing;
        this.lookup = orchestrated ? lookup : null;
        this.vertx = vertx;
        this.publisher = publisher;
        this.sessions = sessions;
        this.instanceId = instanceId;
        this.orchestrated = orchestrated;
        this.maxSockets = maxSockets;
        this.metrics = metrics;
        metrics.relaySocketsOpen(open, maxSockets);
    }

    /** A signed upgrade: accepted unless {@code maxSockets} are open (503). */
    @Override
    public void handle(RoutingContext ctx) {
        if (open.incrementAndGet() > maxSockets) {
            open.decrementAndGet();
            metrics.upgradeRefused(IngressMetrics.REFUSED_CAPACITY);
            log.warn("Refused relay upgrade from {}: {} relay sockets are open, the most INGRESS_MAX_RELAY_SOCKETS allows",
                    ForgedUpgradeGuard.remoteAddress(ctx), maxSockets);
            ctx.response().setStatusCode(503).putHeader("Retry-After", "1").end("Too many relay sockets on this instance");
            return;
        }
        ctx.request().toWebSocket().onSuccess(this::accept).onFailure(e -> {
            open.decrementAndGet();
            log.warn("Relay upgrade failed: {}", e.toString());
            if (!ctx.response().ended()) {
                ctx.response().setStatusCode(400).end("WebSocket upgrade expected");
            }
        });
    }

    private void accept(ServerWebSocket socket) {
        RelaySession session = new RelaySession(socket, vertx.getOrCreateContext());
        // ConversationRelay speaks JSON text frames only: a binary frame is refused like any malformed frame.
        socket.frameHandler(new RelayMessages(PublicServerOptions.MAX_RELAY_MESSAGE_BYTES, text -> onText(session, text),
                bytes -> reject(session, "binary frame of " + bytes.length() + " bytes", ""), () -> {
                    // A message over the limit in small fragments: dropped, and the socket closed as for one
                    // oversized frame, so the rest of the message is never read as a frame of its own.
                    reject(session, "message over " + MAX_MESSAGE_HINT, "");
                    session.refuseFurtherFrames();
                    socket.close((short) 1009, "Message too big");
                }));
        socket.exceptionHandler(e -> log.debug("Relay socket error: {}", e.toString()));
        socket.closeHandler(v -> onClose(session, socket));
    }

    /** A whole text message: strict UTF-8 (a replacement character must not slip into an event), else refused. */
    private void onText(RelaySession session, Buffer bytes) {
        String text;
        try {
            text = StrictJson.utf8(bytes.getBytes());
        } catch (DecodeException e) {
            reject(session, "text frame not UTF-8", "");
            return;
        }
        onFrame(session, text);
    }

    void onFrame(RelaySession session, String text) {
        if (session.refusingFrames()) {
            return;
        }
        RelayProtocol.Inbound frame = RelayProtocol.decode(text);
        if (frame instanceof RelayProtocol.Malformed) {
            reject(session, "malformed JSON frame", text);
            return;
        }
        String type = frame.type();
        if (!session.started() && !"setup".equals(type)) {
            reject(session, "frame before setup", text);
            return;
        }
        if (session.started() && "setup".equals(type)) {
            reject(session, "second setup", text);
            return;
        }
        if (frame instanceof RelayProtocol.Rejected rejected) {
            reject(session, rejected.reason(), text);
            return;
        }
        if (frame instanceof RelayProtocol.Unknown) {
            metrics.relayFrameRejected();
            MDC.put("conversationId", session.conversationId());
            log.warn("Ignoring relay frame of unknown type '{}' on call {}", type, session.callSid());
            MDC.remove("conversationId");
            return;
        }
        Object payload = frame instanceof RelayProtocol.Setup setup ? start(session, setup)
                : ((RelayProtocol.Event) frame).payload();
        if (payload instanceof RelayError error) {
            MDC.put("conversationId", session.conversationId());
            log.warn("ConversationRelay reported an error on call {}: {}", session.callSid(), error.getDescription());
            MDC.remove("conversationId");
        }
        long seq = session.nextSeq();
        if (payload instanceof Prompt prompt) {
            prompt.setTurn(seq);
        } else if (payload instanceof Interrupt interrupt) {
            interrupt.setTurn(seq);
            session.interrupted(seq);
        }
        String eventId = EventIds.derived(session.sessionId(), "frame", Long.toString(seq));
        Span span = frameSpan(type, seq);
        session.whenResolved(() -> {
            String conversationId = session.conversationId();
            span.setAttribute(Messaging.CONVERSATION_ID, conversationId);
            publisher.publish(InboundEvents.of(eventId, conversationId, Source.RELAY, payload), Context.root().with(span))
                    .onComplete(done -> {
                        if (done.failed()) {
                            Messaging.failed(span, done.cause());
                            MDC.put("conversationId", conversationId);
                            log.error("Relay {} frame {} was not acknowledged by Kafka: {}", type, seq,
                                    done.cause().toString());
                            MDC.remove("conversationId");
                        }
                        span.end();
                    });
        });
        if (payload instanceof CallStarted started && !session.resolvedNow()) {
            findConversation(session, started);
        }
    }

    /**
     * The SERVER span of one relay frame ({@code ConversationRelay prompt} starts a voice turn's trace), from its
     * arrival until Kafka acknowledged its event: the turn number, never the transcript.
     */
    private Span frameSpan(String type, long seq) {
        if (!tracing.enabled()) {
            return Span.getInvalid();
        }
        return tracing.tracer().spanBuilder("ConversationRelay " + type).setSpanKind(SpanKind.SERVER)
                .setParent(Context.root())
                .setAttribute(Messaging.CHANNEL, "VOICE")
                .setAttribute(Messaging.TURN, seq)
                .setAttribute(Messaging.EVENT_TYPE, type)
                .startSpan();
    }

    /**
     * Starts the session of a {@code setup} frame and returns its CallStarted. Relay-only mode keys every call by its
     * call SID; orchestrated mode takes the {@code conversationId} custom parameter when whoever made the TwiML gave
     * one, else looks the conversation up (the session's events wait for it).
     */
    private CallStarted start(RelaySession session, RelayProtocol.Setup setup) {
        CallStarted started = setup.started();
        String callSid = started.getCallSid().toString();
        String sessionId = started.getSessionId().toString();
        String given = orchestrated ? setup.conversationIdParameter() : null;
        boolean known = given != null;
        String conversationId = known ? given : callSid;
        session.start(sessionId, callSid, started.getAccountSid() == null ? null : started.getAccountSid().toString(),
                conversationId);
        if (lookup != null && !known) {
            session.awaitConversation(); // keyed by the Orchestrator id once the lookup answers
        } else {
            sessions.remember(callSid, conversationId);
        }
        sessions.register(session);
        MDC.put("conversationId", conversationId);
        log.info("Relay session {} for call {} from {} on instance {}{}", sessionId, callSid,
                Redaction.mask(started.getFrom() == null ? null : started.getFrom().toString()), instanceId,
                session.resolvedNow() ? "" : ": looking up its Orchestrator conversation");
        MDC.remove("conversationId");
        started.setIngressInstance(instanceId);
        started.setOrchestrated(known);
        return started;
    }

    private void onClose(RelaySession session, ServerWebSocket socket) {
        open.decrementAndGet();
        if (!session.started()) {
            return;
        }
        sessions.remove(session);
        Short code = socket.closeStatusCode();
        CallEnded ended = CallEnded.newBuilder()
                .setReason(CallEndReason.SOCKET_CLOSED)
                .setCallSid(session.callSid())
                .setSessionId(session.sessionId())
                .setAccountSid(session.accountSid())
                .setCloseCode(code == null ? null : (int) code)
                .build();
        session.whenResolved(() -> {
            String conversationId = session.conversationId();
            MDC.put("conversationId", conversationId);
            log.info("Relay socket of call {} closed ({})", session.callSid(), code);
            MDC.remove("conversationId");
            publisher.publish(InboundEvents.of(EventIds.derived(session.sessionId(), "closed"), conversationId,
                    Source.RELAY, ended)).onFailure(e -> log.error("CallEnded of {} was not acknowledged: {}",
                    session.callSid(), e.toString()));
        });
    }

    /**
     * Orchestrated mode: looks the call's conversation up (off the event loop) and, on the socket's context, fills
     * {@code started} with what was found, re-keys the socket's events to the Orchestrator id and releases them in
     * order. Found nothing: the call goes on under its call SID (the lookup logged a WARN and counted it).
     */
    private void findConversation(RelaySession session, CallStarted started) {
        String callSid = session.callSid();
        lookup.find(callSid).onComplete(ar -> session.context().runOnContext(v -> {
            ConversationLookup.Found found = ar.succeeded() ? ar.result() : null;
            if (ar.failed()) {
                log.warn("Conversation lookup of call {} failed: {}; the call goes on under its call SID", callSid,
                        ar.cause().toString());
            }
            String conversationId = found == null ? callSid : found.conversationId();
            if (found != null) {
                started.setOrchestrated(true);
                started.setProfileId(found.profileId());
                started.setCustomerAddress(found.customerAddress());
                started.setCustomerParticipantId(found.customerParticipantId());
                started.setAiAgentParticipantId(found.aiAgentParticipantId());
                MDC.put("conversationId", conversationId);
                log.info("Call {} joins Orchestrator conversation {}{}", callSid, conversationId,
                        found.profileId() == null ? " (no customer profile)" : "");
                MDC.remove("conversationId");
            }
            sessions.remember(callSid, conversationId);
            session.resolve(conversationId);
        }));
    }

    private void reject(RelaySession session, String why, String text) {
        metrics.relayFrameRejected();
        if (session.conversationId() != null) {
            MDC.put("conversationId", session.conversationId());
        }
        log.error("Relay frame rejected, no event produced: {}: {}", why, Redaction.mask(abbreviate(text)));
        MDC.remove("conversationId");
    }

    /** A duration field of a frame ({@link RelayProtocol#millis}). */
    static long millis(Object value) {
        return RelayProtocol.millis(value);
    }

    private static String abbreviate(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }
}
