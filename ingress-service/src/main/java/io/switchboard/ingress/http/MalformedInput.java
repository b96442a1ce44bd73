package io.switchboard.ingress.http;

/**
 * A request body that is not what its route reads (a wire reader's verdict): answered 400 by
 * {@link MalformedInputHandler}. The message is for the log; {@link #publicReason()} is what the caller is told.
 */
public final class MalformedInput extends RuntimeException {
    public MalformedInput(String message) {
        super(message);
    }

    private MalformedInput(RuntimeException cause) {
        super(cause.getMessage(), cause);
    }

    /** A parser's or a check's exception (DecodeException, IllegalArgumentException, ClassCastException) as malformed input. */
    public static MalformedInput of(RuntimeException e) {
        return e instanceof MalformedInput malformed ? malformed : new MalformedInput(e);
    }

    /** The reason a 400 gives: the checks' own words, never a library's ({@link Forms#publicReason}). */
    public String publicReason() {
        return Forms.publicReason(getCause() instanceof Exception cause ? cause : this);
    }
}
