package io.switchboard.ingress.voice;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.Source;
import io.switchboard.events.inbound.CallEndReason;
import io.switchboard.events.inbound.CallEnded;
import io.switchboard.events.inbound.CallStarted;
import io.switchboard.events.inbound.Dtmf;
import io.switchboard.events.inbound.Interrupt;
import io.switchboard.events.inbound.Prompt;
import io.switchboard.events.inbound.RelayError;
import io.switchboard.events.inbound.RelayInfo;
import io.switchboard.ids.EventIds;
import io.switchboard.ingress.InboundEvents;
import io.switchboard.ingress.InboundPublisher;
import io.switchboard.ingress.http.SignatureCheck;
import io.switchboard.ingress.http.StrictJson;
import io.switchboard.logging.Redaction;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The ConversationRelay WebSocket: refuses an upgrade without a valid X-Twilio-Signature (403), then turns each
 * frame Twilio sends into an inbound event, produced in the order received. A malformed or unknown frame is logged
 * and produces nothing; the call goes on.
 *
 * <p>Abuse limits, checked in order of cost: an address that failed the signature {@code forgedUpgradesPerMinute}
 * times this minute gets 429 with Retry-After before any work ({@link ForgedUpgradeBudget}); a bad signature gets
 * 403; a valid upgrade while {@code maxSockets} relay sockets are open gets 503 with Retry-After. Each refusal is
 * counted in {@code switchboard.ingress.relay.upgrades.refused{reason=forged_budget|signature|capacity}}.
 */
public final class RelaySocketHandler implements Handler<RoutingContext> {
    private static final Logger log = LoggerFactory.getLogger(RelaySocketHandler.class);
    private static final String MAX_MESSAGE_HINT = "the WebSocket message size limit";

    private final Vertx vertx;
    private final SignatureCheck signatures;
    private final InboundPublisher publisher;
    private final RelaySessions sessions;
    private final int instanceId;
    private final boolean orchestrated;
    /** Finds an orchestrated call's conversation; null in relay-only mode. */
    private final ConversationLookup lookup;
    private final AtomicInteger open = new AtomicInteger();
    private final int maxSockets;
    private final int forgedUpgradesPerMinute;
    private final ForgedUpgradeBudget forgeries;
    private final Counter refusedSignature;
    private final Counter refusedBudget;
    private final Counter refusedCapacity;
    private final Counter rejectedFrames;

    /**
     * {@code lookup} (orchestrated mode) finds each call's Orchestrator conversation after {@code setup}; until it
     * answers, the socket's events wait, in order, and none is published under a provisional id. {@code maxSockets}
     * and {@code forgedUpgradesPerMinute} are the abuse limits of the upgrade (see {@link #handle}).
     */
    public RelaySocketHandler(Vertx vertx, SignatureCheck signatures, InboundPublisher publisher, RelaySessions sessions,
            int instanceId, boolean orchestrated, ConversationLookup lookup, int maxSockets, int forgedUpgradesPerMinute,
            MeterRegistry meters) {
        this.lookup = orchestrated ? lookup : null;
        this.vertx = vertx;
        this.signatures = signatures;
        this.publisher = publisher;
        this.sessions = sessions;
        this.instanceId = instanceId;
        this.orchestrated = orchestrated;
        this.maxSockets = maxSockets;
        this.forgedUpgradesPerMinute = forgedUpgradesPerMinute;
        this.forgeries = new ForgedUpgradeBudget(forgedUpgradesPerMinute);
        meters.gauge("switchboard.ingress.relay.sockets.open", open);
        this.refusedSignature = refusedCounter(meters, "signature");
        this.refusedBudget = refusedCounter(meters, "forged_budget");
        this.refusedCapacity = refusedCounter(meters, "capacity");
        this.rejectedFrames = Counter.builder("switchboard.ingress.relay.frames.rejected")
                .description("Malformed, unknown or out-of-order relay frames (no event produced)").register(meters);
    }

    private static Counter refusedCounter(MeterRegistry meters, String reason) {
        return Counter.builder("switchboard.ingress.relay.upgrades.refused").tag("reason", reason)
                .description("Relay upgrades refused: forged_budget (429), signature (403), capacity (503)").register(meters);
    }

    @Override
    public void handle(RoutingContext ctx) {
        String from = remoteAddress(ctx);
        long retryAfter = forgeries.exhaustedFor(from);
        if (retryAfter > 0) {
            refusedBudget.increment();
            ctx.response().setStatusCode(429).putHeader("Retry-After", Long.toString(retryAfter)).end();
            return;
        }
        if (!signatures.upgrade(ctx.request())) {
            refusedSignature.increment();
            log.warn("Refused relay upgrade from {}: missing or invalid X-Twilio-Signature", from);
            if (forgeries.failed(from)) {
                log.warn("{} relay upgrades with a bad signature from {} this minute: its upgrades get 429 until the "
                        + "minute is over (INGRESS_FORGED_UPGRADES_PER_MINUTE)", forgedUpgradesPerMinute, from);
            }
            ctx.response().setStatusCode(403).end();
            return;
        }
        if (open.incrementAndGet() > maxSockets) {
            open.decrementAndGet();
            refusedCapacity.increment();
            log.warn("Refused relay upgrade from {}: {} relay sockets are open, the most INGRESS_MAX_RELAY_SOCKETS allows",
                    from, maxSockets);
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

    /**
     * Who is upgrading: the last X-Forwarded-For hop when a proxy (TLS termination) is in front — the address that
     * proxy saw, which a client cannot choose — otherwise the TCP peer.
     */
    static String remoteAddress(RoutingContext ctx) {
        String forwarded = ctx.request().getHeader("X-Forwarded-For");
        if (forwarded != null) {
            String[] hops = forwarded.split(",");
            String last = hops[hops.length - 1].trim();
            if (!last.isEmpty()) {
                return last;
            }
        }
        return ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
    }

    private void accept(ServerWebSocket socket) {
        RelaySession session = new RelaySession(socket, vertx.getOrCreateContext());
        socket.textMessageHandler(text -> onFrame(session, text));
        // ConversationRelay speaks JSON text frames only: a binary frame is refused like any malformed frame.
        socket.binaryMessageHandler(bytes -> reject(session, "binary frame of " + bytes.length() + " bytes", ""));
        socket.exceptionHandler(e -> {
            if (String.valueOf(e.getMessage()).contains("max message size")) {
                // A message over the limit in small fragments: Vert.x drops it; the socket is closed as for one
                // oversized frame, so the rest of the message is never read as a frame of its own.
                reject(session, "message over " + MAX_MESSAGE_HINT, "");
                session.refuseFurtherFrames();
                socket.close((short) 1009, "Message too big");
                return;
            }
            log.debug("Relay socket error: {}", e.toString());
        });
        socket.closeHandler(v -> onClose(session, socket));
    }

    void onFrame(RelaySession session, String text) {
        if (session.refusingFrames()) {
            return;
        }
        JsonObject frame;
        try {
            frame = new JsonObject(StrictJson.check(text));
        } catch (DecodeException | ClassCastException e) {
            reject(session, "malformed JSON frame", text);
            return;
        }
        String type = frame.getValue("type") instanceof String s ? s : null;
        if (!session.started() && !"setup".equals(type)) {
            reject(session, "frame before setup", text);
            return;
        }
        if (session.started() && "setup".equals(type)) {
            reject(session, "second setup", text);
            return;
        }
        try {
            Object payload = parse(session, type, frame, text);
            if (payload == null) {
                return;
            }
            long seq = session.nextSeq();
            if (payload instanceof Prompt prompt) {
                prompt.setTurn(seq);
            } else if (payload instanceof Interrupt interrupt) {
                interrupt.setTurn(seq);
                session.interrupted(seq);
            }
            String eventId = EventIds.derived(session.sessionId(), "frame", Long.toString(seq));
            session.whenResolved(() -> {
                String conversationId = session.conversationId();
                publisher.publish(InboundEvents.of(eventId, conversationId, Source.RELAY, payload)).onFailure(e -> {
                    MDC.put("conversationId", conversationId);
                    log.error("Relay {} frame {} was not acknowledged by Kafka: {}", type, seq, e.toString());
                    MDC.remove("conversationId");
                });
            });
            if (payload instanceof CallStarted started && !session.resolvedNow()) {
                findConversation(session, started);
            }
        } catch (RuntimeException e) {
            reject(session, "invalid " + type + " frame (" + e.getMessage() + ")", text);
        }
    }

    /** The event payload of a frame, or null for a frame that produces none. Throws for invalid field types. */
    private Object parse(RelaySession session, String type, JsonObject frame, String text) {
        if (type == null) {
            reject(session, "frame without type", text);
            return null;
        }
        switch (type) {
            case "setup" -> {
                String sessionId = str(frame, "sessionId");
                String callSid = str(frame, "callSid");
                if (blank(sessionId) || blank(callSid)) {
                    reject(session, "setup without sessionId or callSid", text);
                    return null;
                }
                Map<String, String> custom = new LinkedHashMap<>();
                JsonObject params = frame.getJsonObject("customParameters", new JsonObject());
                params.forEach(e -> custom.put(e.getKey(), e.getValue() == null ? "" : String.valueOf(e.getValue())));
                String conversationId = callSid;
                // relay-only mode keys every call by its call SID; orchestrated mode may be told the id
                String fromParams = orchestrated ? custom.get("conversationId") : null;
                boolean known = !blank(fromParams);
                if (known) {
                    conversationId = fromParams; // given by whoever made the TwiML: no lookup
                }
                session.start(sessionId, callSid, str(frame, "accountSid"), conversationId);
                if (lookup != null && !known) {
                    session.awaitConversation(); // keyed by the Orchestrator id once the lookup answers
                } else {
                    sessions.remember(callSid, conversationId);
                }
                sessions.register(session);
                MDC.put("conversationId", conversationId);
                log.info("Relay session {} for call {} from {} on instance {}{}", sessionId, callSid,
                        Redaction.mask(str(frame, "from")), instanceId,
                        session.resolvedNow() ? "" : ": looking up its Orchestrator conversation");
                MDC.remove("conversationId");
                return CallStarted.newBuilder()
                        .setSessionId(sessionId).setCallSid(callSid)
                        .setParentCallSid(emptyToNull(str(frame, "parentCallSid")))
                        .setFrom(emptyToNull(str(frame, "from")))
                        .setTo(emptyToNull(str(frame, "to")))
                        .setForwardedFrom(emptyToNull(str(frame, "forwardedFrom")))
                        .setCallerName(emptyToNull(str(frame, "callerName")))
                        .setDirection(emptyToNull(str(frame, "direction")))
                        .setCallType(emptyToNull(str(frame, "callType")))
                        .setCallStatus(emptyToNull(str(frame, "callStatus")))
                        .setAccountSid(emptyToNull(str(frame, "accountSid")))
                        .setCustomParameters(new LinkedHashMap<>(custom))
                        .setIngressInstance(instanceId)
                        .setOrchestrated(known)
                        .build();
            }
            case "prompt" -> {
                return Prompt.newBuilder()
                        .setVoicePrompt(str(frame, "voicePrompt", ""))
                        .setLang(str(frame, "lang"))
                        .setLast(frame.getBoolean("last", true))
                        .setTurn(-1)
                        .build();
            }
            case "interrupt" -> {
                return Interrupt.newBuilder()
                        .setUtteranceUntilInterrupt(str(frame, "utteranceUntilInterrupt", ""))
                        .setDurationUntilInterruptMs(millis(frame.getValue("durationUntilInterruptMs")))
                        .setTurn(-1)
                        .build();
            }
            case "dtmf" -> {
                String digit = str(frame, "digit");
                if (blank(digit)) {
                    reject(session, "dtmf without digit", text);
                    return null;
                }
                return Dtmf.newBuilder().setDigit(digit).build();
            }
            case "error" -> {
                String description = str(frame, "description", "");
                MDC.put("conversationId", session.conversationId());
                log.warn("ConversationRelay reported an error on call {}: {}", session.callSid(), description);
                MDC.remove("conversationId");
                return RelayError.newBuilder().setDescription(description).build();
            }
            case "info" -> {
                return RelayInfo.newBuilder().setJson(text).build();
            }
            default -> {
                rejectedFrames.increment();
                MDC.put("conversationId", session.conversationId());
                log.warn("Ignoring relay frame of unknown type '{}' on call {}", type, session.callSid());
                MDC.remove("conversationId");
                return null;
            }
        }
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
        rejectedFrames.increment();
        if (session.conversationId() != null) {
            MDC.put("conversationId", session.conversationId());
        }
        log.error("Relay frame rejected, no event produced: {}: {}", why, Redaction.mask(abbreviate(text)));
        MDC.remove("conversationId");
    }

    static long millis(Object value) {
        if (value == null) {
            return 0;
        }
        if (value instanceof Number n) {
            return n.longValue();
        }
        String s = value.toString().trim();
        if (s.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return (long) Double.parseDouble(s);
        }
    }

    /** A string field; a present value of another JSON type makes the frame invalid. */
    private static String str(JsonObject frame, String name) {
        return str(frame, name, null);
    }

    private static String str(JsonObject frame, String name, String fallback) {
        Object value = frame.getValue(name);
        if (value == null) {
            return fallback;
        }
        if (value instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException(name + " must be a string");
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String emptyToNull(String s) {
        return blank(s) ? null : s;
    }

    private static String abbreviate(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }
}
