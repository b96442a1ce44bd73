package io.switchboard.ingress.messaging;

import io.switchboard.twilio.ParticipantReconciler;
import io.switchboard.twilio.ParticipantReconciler.Reconciled;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The reconciled participants of each Orchestrator conversation this ingress instance saw, one Participants lookup
 * (and TAC's reconciliation) per conversation, cached: it tells an agent-side author (a sender-pool number whose
 * participant is AI_AGENT, a human agent) from the customer, and gives the message its participant ids and the
 * customer's profile before it is published. The blocking Twilio calls run on {@code blocking} (never on the event
 * loop), one conversation per call, so a slow conversation never delays another; concurrent webhooks of one
 * conversation share its lookup. An author not in the cached list (a participant that joined since) refreshes it
 * once; a failed lookup is not cached, so the next webhook tries again.
 */
final class ParticipantDirectory {
    private static final int CAPACITY = 10_000;

    private final ParticipantReconciler reconciler;
    private final Executor blocking;
    private final Map<String, CompletableFuture<Reconciled>> byConversation = Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, CompletableFuture<Reconciled>> eldest) {
                    return size() > CAPACITY;
                }
            });

    ParticipantDirectory(ParticipantReconciler reconciler, Executor blocking) {
        this.reconciler = reconciler;
        this.blocking = blocking;
    }

    /** The reconciled participants of the conversation; {@code authorParticipantId} not among them refreshes once. */
    CompletableFuture<Reconciled> participants(String conversationId, String channel, String agentAddress,
                                               String authorParticipantId) {
        CompletableFuture<Reconciled> known;
        synchronized (byConversation) {
            known = byConversation.get(conversationId);
            if (known == null) {
                return lookup(conversationId, channel, agentAddress);
            }
        }
        return known.thenCompose(reconciled -> authorParticipantId == null || reconciled.byId(authorParticipantId) != null
                ? CompletableFuture.completedFuture(reconciled)
                : lookup(conversationId, channel, agentAddress));
    }

    private CompletableFuture<Reconciled> lookup(String conversationId, String channel, String agentAddress) {
        CompletableFuture<Reconciled> lookup = CompletableFuture.supplyAsync(
                () -> reconciler.reconcile(conversationId, channel, agentAddress), blocking);
        byConversation.put(conversationId, lookup);
        lookup.whenComplete((result, error) -> {
            if (error != null) {
                byConversation.remove(conversationId, lookup);
            }
        });
        return lookup;
    }
}
