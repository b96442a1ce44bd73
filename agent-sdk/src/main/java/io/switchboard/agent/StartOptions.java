package io.switchboard.agent;

/**
 * How an agent starts a messaging conversation ({@link SwitchboardAgent#startConversation(io.switchboard.events.Channel,
 * String, String, StartOptions)}).
 *
 * @param from      the agent's sender, from the channel's allow-list (RCS: {@code TWILIO_RCS_SENDER_IDS}); null: the
 *                  first configured one. outbound-sender refuses one not on the list.
 * @param channelId TAC's channel id of a CHAT conversation, sent with its messages ({@code channelSettings.channelId});
 *                  null: none
 */
public record StartOptions(String from, String channelId) {
    public static final StartOptions NONE = new StartOptions(null, null);

    public StartOptions withFrom(String sender) {
        return new StartOptions(sender, channelId);
    }

    public StartOptions withChannelId(String id) {
        return new StartOptions(from, id);
    }
}
