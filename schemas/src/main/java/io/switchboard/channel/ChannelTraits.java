package io.switchboard.channel;

import io.switchboard.events.Channel;
import java.util.Locale;
import java.util.Optional;

/**
 * What differs between Twilio channels, in one place (as TAC's tiny channel subclasses): the setting that holds
 * Switchboard's own address on the channel, the address prefix Twilio uses, the longest message Twilio accepts,
 * whether replies can be streamed token by token, and whether Twilio can show the customer a typing indicator (only
 * WhatsApp: Messaging v2 {@code Indicators/Typing} accepts {@code channel=whatsapp} alone).
 */
public enum ChannelTraits {
    SMS(Channel.SMS, "TWILIO_PHONE_NUMBER", "", 1_600, false, false),
    WHATSAPP(Channel.WHATSAPP, "TWILIO_WHATSAPP_NUMBER", "whatsapp:", 4_096, false, true),
    /** RCS text limit as Twilio documents it for RCS messages (longer text falls back to SMS segments). */
    RCS(Channel.RCS, "TWILIO_RCS_SENDER_ID", "rcs:", 3_072, false, false),
    /** Conversations' message body limit. The agent's chat identity is Switchboard's own setting. */
    CHAT(Channel.CHAT, "SWITCHBOARD_AGENT_IDENTITY", "", 32_768, false, false),
    VOICE(Channel.VOICE, "TWILIO_PHONE_NUMBER", "", Integer.MAX_VALUE, true, false);

    private final Channel channel;
    private final String ownAddressSetting;
    private final String addressPrefix;
    private final int maxMessageLength;
    private final boolean streaming;
    private final boolean typingIndicator;

    ChannelTraits(Channel channel, String ownAddressSetting, String addressPrefix, int maxMessageLength,
            boolean streaming, boolean typingIndicator) {
        this.channel = channel;
        this.ownAddressSetting = ownAddressSetting;
        this.addressPrefix = addressPrefix;
        this.maxMessageLength = maxMessageLength;
        this.streaming = streaming;
        this.typingIndicator = typingIndicator;
    }

    public Channel channel() {
        return channel;
    }

    /** The environment variable holding Switchboard's own address on this channel. */
    public String ownAddressSetting() {
        return ownAddressSetting;
    }

    /** How Twilio prefixes addresses of this channel (`whatsapp:`, `rcs:`), empty for plain numbers. */
    public String addressPrefix() {
        return addressPrefix;
    }

    /** Longest text one message may carry; longer replies are split. */
    public int maxMessageLength() {
        return maxMessageLength;
    }

    /** Whether a reply can go out token by token (voice) or only whole (messaging). */
    public boolean streaming() {
        return streaming;
    }

    /** Whether Twilio can show a typing indicator for an inbound message of this channel. */
    public boolean typingIndicator() {
        return typingIndicator;
    }

    /** The address with this channel's prefix (`whatsapp:`, `rcs:`), added when missing. */
    public String withPrefix(String address) {
        if (address == null || addressPrefix.isEmpty() || address.startsWith(addressPrefix)) {
            return address;
        }
        return addressPrefix + address;
    }

    /** The traits of a channel; an unknown channel is treated as SMS, the most constrained. */
    public static ChannelTraits of(Channel channel) {
        if (channel == null || channel == Channel.UNKNOWN) {
            return SMS;
        }
        for (ChannelTraits traits : values()) {
            if (traits.channel == channel) {
                return traits;
            }
        }
        throw new IllegalArgumentException("No traits for channel " + channel);
    }

    /** The channel named the way Twilio names it (`author.channel`, v1 `Source`), if it is one Switchboard serves. */
    public static Optional<ChannelTraits> fromTwilioName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        for (ChannelTraits traits : values()) {
            if (traits.name().equalsIgnoreCase(name.trim())) {
                return Optional.of(traits);
            }
        }
        return Optional.empty();
    }

    /** The channel an address belongs to by its prefix: `whatsapp:+1…` → WHATSAPP, `rcs:…` → RCS, `+1…` → SMS. */
    public static Optional<ChannelTraits> fromAddress(String address) {
        if (address == null || address.isBlank()) {
            return Optional.empty();
        }
        String lower = address.trim().toLowerCase(Locale.ROOT);
        if (lower.startsWith(WHATSAPP.addressPrefix)) {
            return Optional.of(WHATSAPP);
        }
        if (lower.startsWith(RCS.addressPrefix)) {
            return Optional.of(RCS);
        }
        if (lower.matches("\\+?\\d{5,}")) {
            return Optional.of(SMS);
        }
        return Optional.of(CHAT);
    }
}
