package io.switchboard.agent;

import io.switchboard.events.agent.MessageReady;

/**
 * What the customer said or wrote.
 *
 * @param messageId the inbound event this message came from
 * @param text      the message text (voice: the transcribed prompt)
 * @param lang      the language, when known
 * @param turn      voice: the prompt's turn (copied into replies); 0 otherwise
 * @param channelId messaging: Twilio's channel id of the message, when known
 */
public record Message(String messageId, String text, String lang, long turn, String channelId) {
    static Message of(MessageReady m) {
        return new Message(m.getMessageId(), m.getText(), m.getLang(), m.getTurn(), m.getChannelId());
    }
}
