package io.switchboard.ingress.voice;

import io.switchboard.ingress.IngressMetrics;
import io.switchboard.twilio.OrchestratorClient;
import io.switchboard.twilio.OrchestratorClient.ConversationSummary;
import io.switchboard.twilio.OrchestratorClient.Participant;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Finds the Conversation Orchestrator conversation of an orchestrated call, as TAC does from {@code setup}
 * ({@code _initialize_conversation} / {@code initializeOrchestratedConversation}): the Orchestrator creates the
 * conversation only after the TwiML was fetched, so {@code GET /v2/Conversations?channelId={CallSid}&status=ACTIVE}
 * is polled on the {@link LookupSchedule} until exactly one conversation matches; then
 * {@code GET /v2/Conversations/{id}/Participants} gives the CUSTOMER's profile id, address and participant id and the
 * AI_AGENT participant's id (UNKNOWN and other participants are ignored).
 *
 * <p>Never blocks an event loop: each Twilio call runs on a small worker pool of its own, the waits between tries
 * are Vert.x timers. The returned future completes on the caller's context, with null when no try found exactly one
 * conversation (the call then goes on under its call SID; a WARN and {@code switchboard.ingress.voice.lookups
 * {result=not_found}} say so). A participants call that fails keeps the conversation id: the id is what matters most.
 */
public final class ConversationLookup implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConversationLookup.class);

    /** What the lookup found. Ids of participants it did not find are null. */
    public record Found(String conversationId, String profileId, String customerAddress, String customerParticipantId,
                        String aiAgentParticipantId) {
    }

    private final Vertx vertx;
    private final OrchestratorClient orchestrator;
    private final LookupSchedule schedule;
    private final WorkerExecutor workers;
    private final IngressMetrics metrics;

    public ConversationLookup(Vertx vertx, OrchestratorClient orchestrator, LookupSchedule schedule,
                              IngressMetrics metrics) {
        this.vertx = vertx;
        this.orchestrator = orchestrator;
        this.schedule = schedule;
        this.metrics = metrics;
        // Lookups are short HTTP calls; a pool of their own keeps a slow Twilio from starving Vert.x's shared workers.
        this.workers = vertx.createSharedWorkerExecutor("voice-conversation-lookup", 8);
    }

    /** Looks up the conversation of {@code callSid}; see the class comment. Call it on the socket's context. */
    public Future<Found> find(String callSid) {
        Promise<Found> promise = Promise.promise();
        attempt(callSid, 1, promise);
        return promise.future();
    }

    private void attempt(String callSid, int attempt, Promise<Found> promise) {
        workers.executeBlocking(() -> orchestrator.listConversations(callSid, "ACTIVE"), false)
                .onComplete(ar -> {
                    List<ConversationSummary> found = ar.succeeded() ? ar.result() : List.of();
                    if (ar.failed()) {
                        log.debug("Conversation lookup {} of call {} failed: {}", attempt, callSid, ar.cause().toString());
                    }
                    if (found.size() == 1) {
                        metrics.voiceLookup(IngressMetrics.LOOKUP_FOUND);
                        String conversationId = found.get(0).id();
                        log.debug("Call {} belongs to conversation {} (lookup {})", callSid, conversationId, attempt);
                        participants(conversationId, promise);
                        return;
                    }
                    if (found.size() > 1) {
                        log.debug("Call {} matches {} active conversations (lookup {})", callSid, found.size(), attempt);
                    }
                    if (!schedule.hasAttemptAfter(attempt)) {
                        metrics.voiceLookup(IngressMetrics.LOOKUP_NOT_FOUND);
                        log.warn("No single active Orchestrator conversation for call {} after {} lookups ({}): "
                                + "the call goes on under its call SID, without Orchestrator memory or status",
                                callSid, attempt, ar.failed() ? "last error: " + ar.cause().getMessage()
                                        : found.size() + " matching");
                        promise.complete(null);
                        return;
                    }
                    vertx.setTimer(Math.max(1, schedule.delayBefore(attempt + 1).toMillis()),
                            t -> attempt(callSid, attempt + 1, promise));
                });
    }

    private void participants(String conversationId, Promise<Found> promise) {
        workers.executeBlocking(() -> orchestrator.listParticipants(conversationId), false).onComplete(ar -> {
            if (ar.failed()) {
                MDC.put("conversationId", conversationId);
                log.warn("Participants of conversation {} could not be read ({}): no profile id for this call",
                        conversationId, ar.cause().getMessage());
                MDC.remove("conversationId");
                promise.complete(new Found(conversationId, null, null, null, null));
                return;
            }
            Participant customer = first(ar.result(), "CUSTOMER");
            Participant agent = first(ar.result(), "AI_AGENT");
            promise.complete(new Found(conversationId,
                    customer == null ? null : customer.profileId(),
                    customer == null ? null : customer.addressOn("VOICE"),
                    customer == null ? null : customer.id(),
                    agent == null ? null : agent.id()));
        });
    }

    private static Participant first(List<Participant> participants, String type) {
        return participants.stream().filter(p -> type.equals(p.type())).findFirst().orElse(null);
    }

    @Override
    public void close() {
        workers.close();
    }
}
