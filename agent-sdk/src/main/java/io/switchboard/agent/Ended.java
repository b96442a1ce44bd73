package io.switchboard.agent;

import io.switchboard.events.agent.ConversationEnded;
import io.switchboard.events.agent.EndReason;

/**
 * The conversation is over; no more events follow for it.
 *
 * @param reason      why it ended
 * @param handoffData voice: the handoff data of the session's end, if any
 */
public record Ended(EndReason reason, String handoffData) {
    static Ended of(ConversationEnded e) {
        return new Ended(e.getReason(), e.getHandoffData());
    }
}
