package io.switchboard.agent;

/**
 * A reply produced token by token. On voice every token is sent at once (the caller hears it while the rest is
 * generated) and {@link #end()} sends the final empty token with {@code last=true}; on messaging channels the tokens
 * are collected and {@link #end()} sends them as one message. After an interrupt the stream is cancelled: nothing
 * more is sent, not even the final frame (ingress closes the turn on the socket).
 */
public interface TokenStream {

    /** Sends (voice) or collects (messaging) one token; returns false, sending nothing, once cancelled or ended. */
    boolean send(String token);

    /** Ends the reply. Safe to call twice. A stream that sent no token sends nothing. */
    void end();

    /** True once the conversation was interrupted (or the handler timed out): stop generating. */
    boolean isCancelled();
}
