package io.switchboard.outbound.messaging;

import com.twilio.exception.ApiConnectionException;
import com.twilio.exception.ApiException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.messaging.v2.TypingIndicator;
import io.switchboard.outbound.twilio.RedirectingHttpClient;
import io.switchboard.outbound.twilio.TwilioCallException;

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
        try {
            TypingIndicator.creator(TypingIndicator.Channel.WHATSAPP, messageId).create(sdk);
        } catch (ApiException e) {
            Integer status = e.getStatusCode();
            throw TwilioCallException.fromStatus(status == null ? 500 : status, e.getCode(), e.getMessage(),
                    RedirectingHttpClient.lastRetryAfter());
        } catch (ApiConnectionException e) {
            throw new TwilioCallException(TwilioCallException.Kind.AMBIGUOUS, null, null, e.getMessage(), null, e);
        }
    }
}
