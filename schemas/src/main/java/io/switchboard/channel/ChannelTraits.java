package io.switchboard.channel;

import io.switchboard.events.Channel;
import java.util.EnumMap;
import java.util.Map;

/**
 * What differs between Twilio channels, in one place: the longest text Twilio accepts in one message, the
 * environment variable holding the agent's own address on that channel, the address prefix Twilio uses for it, and
 * whether replies may be streamed token by token. Ingress uses it to recognise the agent's own messages, the
 * outbound sender to pick its sender identity and to split long replies.
 */
public record ChannelTraits(Channel channel, int maxMessageLength, String ownAddressVariable, String addressPrefix,
                            boolean streaming) {

    /** No practical limit (Chat). */
    public static final int UNLIMITED = Integer.MAX_VALUE;

    private static final Map<Channel, ChannelTraits> TRAITS = new EnumMap<>(Channel.class);

    static {
        put(new ChannelTraits(Channel.SMS, 1_600, "TWILIO_PHONE_NUMBER", "", false));
        put(new ChannelTraits(Channel.WHATSAPP, 4_096, "TWILIO_WHATSAPP_NUMBER", "whatsapp:", false));
        put(new ChannelTraits(Channel.RCS, 3_072, "TWILIO_RCS_SENDER_ID", "rcs:", false));
        put(new ChannelTraits(Channel.CHAT, UNLIMITED, null, "", false));
        put(new ChannelTraits(Channel.VOICE, UNLIMITED, "TWILIO_PHONE_NUMBER", "", true));
        put(new ChannelTraits(Channel.UNKNOWN, 1_600, null, "", false));
    }

    private static void put(ChannelTraits traits) {
        TRAITS.put(traits.channel(), traits);
    }

    public static ChannelTraits of(Channel channel) {
        return TRAITS.get(channel == null ? Channel.UNKNOWN : channel);
    }

    /** Messaging channels answer through Twilio's REST APIs; voice through the ConversationRelay socket. */
    public boolean messaging() {
        return channel != Channel.VOICE;
    }

    /** The agent's own address on this channel from the environment, or null when the channel has none set. */
    public String ownAddress(Map<String, String> env) {
        if (ownAddressVariable == null) {
            return null;
        }
        String value = env.get(ownAddressVariable);
        return value == null || value.isBlank() ? null : withPrefix(value.trim());
    }

    /** The address with this channel's prefix (`whatsapp:`, `rcs:`), added when missing. */
    public String withPrefix(String address) {
        if (address == null || addressPrefix.isEmpty() || address.startsWith(addressPrefix)) {
            return address;
        }
        return addressPrefix + address;
    }
}
