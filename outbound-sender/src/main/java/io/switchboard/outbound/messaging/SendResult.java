package io.switchboard.outbound.messaging;

import io.switchboard.twilio.TwilioCallException;
import java.util.List;

/**
 * What Twilio answered for one outbound event: the ids of the messages it accepted (one per part of a split reply),
 * the attempts made in all, the last HTTP status, and the failure that ended it (null when every part was sent).
 */
public record SendResult(List<String> twilioIds, int attempts, Integer httpStatus, TwilioCallException failure) {

    /** Refused before any Twilio call (a permanent failure: retrying cannot help). */
    public static SendResult refused(String reason) {
        return new SendResult(List.of(), 0, null,
                new TwilioCallException(TwilioCallException.Kind.PERMANENT, null, null, reason, null, null));
    }

    public boolean sent() {
        return failure == null;
    }
}
