package io.switchboard.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.Channel;
import org.junit.jupiter.api.Test;

class ChannelTraitsTest {
    @Test
    void everyChannelButUnknownHasTraits() {
        for (Channel channel : Channel.values()) {
            if (channel != Channel.UNKNOWN) {
                assertThat(ChannelTraits.of(channel).channel()).isEqualTo(channel);
            }
        }
    }

    @Test
    void channelsAreToldApartByTwilioNameAndAddressPrefix() {
        assertThat(ChannelTraits.fromTwilioName("whatsapp")).contains(ChannelTraits.WHATSAPP);
        assertThat(ChannelTraits.fromTwilioName("EMAIL")).isEmpty();
        assertThat(ChannelTraits.fromAddress("whatsapp:+15551234567")).contains(ChannelTraits.WHATSAPP);
        assertThat(ChannelTraits.fromAddress("rcs:brand_agent")).contains(ChannelTraits.RCS);
        assertThat(ChannelTraits.fromAddress("+15551234567")).contains(ChannelTraits.SMS);
        assertThat(ChannelTraits.fromAddress("alice")).contains(ChannelTraits.CHAT);
    }

    @Test
    void messagingLimitsFollowTwilio() {
        assertThat(ChannelTraits.SMS.maxMessageLength()).isEqualTo(1_600);
        assertThat(ChannelTraits.WHATSAPP.maxMessageLength()).isEqualTo(4_096);
        assertThat(ChannelTraits.VOICE.streaming()).isTrue();
        assertThat(ChannelTraits.SMS.streaming()).isFalse();
    }

    @Test
    void onlyWhatsAppHasATypingIndicator() {
        for (ChannelTraits traits : ChannelTraits.values()) {
            assertThat(traits.typingIndicator()).as(traits.name()).isEqualTo(traits == ChannelTraits.WHATSAPP);
        }
    }
}
