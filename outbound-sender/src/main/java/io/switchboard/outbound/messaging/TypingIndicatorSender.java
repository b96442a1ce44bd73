package io.switchboard.outbound.messaging;

import com.twilio.http.TwilioRestClient;
import com.twilio.rest.messaging.v2.TypingIndicator;
import io.switchboard.twilio.TwilioCallException;

/**
 * A WhatsApp typing indicator, Twilio Messaging v2 ({@code POST https://messaging.twilio.com/v2/Indicators/Typing.json}
 * with {@code channel=whatsapp} and {@code messageId} = the inbound message's SID): WhatsApp marks that message read
 * and shows "typing…" until the reply is delivered or 25 seconds pass. Twilio accepts no other channel. Made once,
 * never retried: an indicator that arrives late is worse than none.
 */
final class TypingIndicatorSender {
    private final TwilioRestClient sdk;

    TypingIndicatorSender(TwilioRestClient sdk) {
        this.sdk = sdk;
    }

    /** Shows the indicator for the inbound message {@code messageId}; throws {@link TwilioCallException} on failure. */
    void show(String messageId) {
        TwilioCallException.sdkCall(() -> TypingIndicator.creator(TypingIndicator.Channel.WHATSAPP, messageId).create(sdk));
    }
}
