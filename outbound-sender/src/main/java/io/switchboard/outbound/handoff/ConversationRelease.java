package io.switchboard.outbound.handoff;

import io.switchboard.twilio.OrchestratorClient;
import io.switchboard.twilio.Retrier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What TAC's handoff tool does to the Orchestrator conversation before a human takes over, on every channel:
 * {@code PUT /v2/Conversations/{id}} status {@code INACTIVE}, then {@code PATCH} {@code {"configuration":
 * {"statusCallbacks":[]}}} so its webhooks stop reaching the agent. Each call is retried (both are idempotent); a
 * failure is logged and the handoff goes on (the customer must reach the human either way). Blocking: call it on a
 * worker thread.
 */
public final class ConversationRelease {
    private static final Logger log = LoggerFactory.getLogger(ConversationRelease.class);

    private final OrchestratorClient orchestrator;
    private final Retrier retrier;

    public ConversationRelease(OrchestratorClient orchestrator, Retrier retrier) {
        this.orchestrator = orchestrator;
        this.retrier = retrier;
    }

    /** Sets the conversation INACTIVE and clears its status callbacks; returns the attempts made. */
    public int release(String conversationId) {
        int attempts = 0;
        try {
            attempts += retrier.call("v2.conversations.update", true, () -> {
                orchestrator.updateStatus(conversationId, "INACTIVE");
                return null;
            }).attempts();
        } catch (Retrier.Exhausted e) {
            attempts += e.attempts();
            log.warn("Handoff: could not set the conversation INACTIVE: {}", e.last().getMessage());
        }
        try {
            attempts += retrier.call("v2.conversations.patch", true, () -> {
                orchestrator.clearStatusCallbacks(conversationId);
                return null;
            }).attempts();
        } catch (Retrier.Exhausted e) {
            attempts += e.attempts();
            log.warn("Handoff: could not clear the status callbacks: {}", e.last().getMessage());
        }
        return attempts;
    }
}
