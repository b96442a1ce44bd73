package io.switchboard.agent;

import io.switchboard.events.Channel;
import java.util.Map;

/**
 * The conversation an event belongs to, as the router keeps it.
 *
 * @param conversationId   the conversation id (voice relay-only: the call SID)
 * @param channel          the customer's channel; {@link Channel#VOICE} replies are streamed, others are whole
 * @param from             the customer's address
 * @param to               the address the customer wrote or called
 * @param profileId        the customer's memory profile, when known
 * @param callSid          voice only
 * @param customParameters voice: the ConversationRelay custom parameters
 * @param avro             the full wire record, for anything else
 */
public record Session(String conversationId, Channel channel, String from, String to, String profileId,
                      String callSid, Map<String, String> customParameters, io.switchboard.events.Session avro) {

    static Session of(io.switchboard.events.Session s) {
        return new Session(s.getConversationId(), s.getChannel(), s.getFrom(), s.getTo(), s.getProfileId(),
                s.getCallSid(), s.getCustomParameters() == null ? Map.of() : Map.copyOf(s.getCustomParameters()), s);
    }

    /** True for a phone call (ConversationRelay): replies are spoken as their tokens arrive. */
    public boolean isVoice() {
        return channel == Channel.VOICE;
    }
}
