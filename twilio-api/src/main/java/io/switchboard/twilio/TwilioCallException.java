package io.switchboard.twilio;

import com.twilio.exception.ApiConnectionException;
import com.twilio.exception.ApiException;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * A Twilio REST call that did not succeed, classified once for the retry decision:
 * <ul>
 *   <li>{@link Kind#RETRYABLE}: Twilio certainly did not act (429, 503, a connection that never opened) — safe to
 *       repeat any request;</li>
 *   <li>{@link Kind#AMBIGUOUS}: Twilio may have acted (500/502/504, a timeout after the request was sent) — repeat
 *       only idempotent requests (GET/PUT), never a POST that sends a message;</li>
 *   <li>{@link Kind#PERMANENT}: a 4xx other than 429 — repeating cannot help.</li>
 * </ul>
 */
public final class TwilioCallException extends RuntimeException {
    public enum Kind { RETRYABLE, AMBIGUOUS, PERMANENT }

    private final Kind kind;
    private final Integer httpStatus;
    private final Integer errorCode;
    private final Duration retryAfter;

    public TwilioCallException(Kind kind, Integer httpStatus, Integer errorCode, String message, Duration retryAfter,
                               Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
        this.retryAfter = retryAfter;
    }

    /** Classifies an HTTP answer. */
    public static TwilioCallException fromStatus(int status, Integer errorCode, String message, Duration retryAfter) {
        Kind kind;
        if (status == 429 || status == 503) {
            kind = Kind.RETRYABLE;
        } else if (status >= 500) {
            kind = Kind.AMBIGUOUS;
        } else {
            kind = Kind.PERMANENT;
        }
        return new TwilioCallException(kind, status, errorCode, message, retryAfter, null);
    }

    /** An error answer of the Twilio SDK, classified by its HTTP status (500 when it has none). */
    public static TwilioCallException fromSdk(ApiException e) {
        Integer status = e.getStatusCode();
        return fromStatus(status == null ? 500 : status, e.getCode(), e.getMessage(), RedirectingHttpClient.lastRetryAfter());
    }

    /**
     * Runs one Twilio SDK call and turns its failures into a {@code TwilioCallException}: an error answer by its
     * status, a connection failure as ambiguous (the request may have been sent).
     */
    public static <T> T sdkCall(Supplier<T> call) {
        try {
            return call.get();
        } catch (ApiException e) {
            throw fromSdk(e);
        } catch (ApiConnectionException e) {
            throw new TwilioCallException(Kind.AMBIGUOUS, null, null, e.getMessage(), null, e);
        }
    }

    public Kind kind() {
        return kind;
    }

    public Integer httpStatus() {
        return httpStatus;
    }

    public Integer errorCode() {
        return errorCode;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    /** Whether repeating the request may help and is safe for a request of this idempotency. */
    public boolean retryable(boolean idempotent) {
        return kind == Kind.RETRYABLE || (kind == Kind.AMBIGUOUS && idempotent);
    }

    /** Parses {@code Retry-After} (delta-seconds; an HTTP date is treated as absent). */
    public static Duration parseRetryAfter(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            return Duration.ofMillis((long) (Double.parseDouble(header.trim()) * 1000));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
