package io.switchboard.agent;

import java.util.Map;

/**
 * How a handler answers the event it was given, TAC style. Every outbound event gets a deterministic id derived
 * from the agent event and its position ({@code EventIds.derived(agentEventId, "out", n)}), so a re-run after a crash
 * produces the same ids and outbound-sender drops the copies.
 */
public interface Reply {

    /** The conversation being answered. */
    String conversationId();

    /** Sends one whole reply. Ignored (returns false) once cancelled. */
    boolean sendResponse(String text);

    /** Voice: one whole reply spoken with {@code options} ({@code lang}, {@code interruptible}, {@code preemptible}). */
    boolean sendResponse(String text, TextOptions options);

    /**
     * TAC's {@code sendResponse(conversationId, text)}; the conversation must be the one being answered (replies
     * derive their ids from the event that caused them).
     */
    boolean sendResponse(String conversationId, String text);

    /** Starts a streamed reply; see {@link TokenStream}. The event counts as handled once every stream has ended. */
    TokenStream stream();

    /** A streamed reply whose every token carries {@code options} (voice). */
    TokenStream stream(TextOptions options);

    /** TAC's {@code stream(conversationId)}; same rule as {@link #sendResponse(String, String)}. */
    TokenStream stream(String conversationId);

    /**
     * Voice: plays an audio file ({@code play} frame), in order with the text of this handler. {@code loop} (times,
     * 0 = until interrupted), {@code preemptible} and {@code interruptible} may be null (Twilio's defaults).
     *
     * @throws IllegalStateException on a messaging conversation (nothing is sent)
     */
    boolean play(String source, Integer loop, Boolean preemptible, Boolean interruptible);

    /** {@link #play(String, Integer, Boolean, Boolean)} with Twilio's defaults. */
    default boolean play(String source) {
        return play(source, null, null, null);
    }

    /**
     * Voice: sends DTMF digits on the call ({@code sendDigits} frame; {@code w} waits half a second).
     *
     * @throws IllegalStateException on a messaging conversation
     */
    boolean sendDigits(String digits);

    /**
     * Voice: switches the call's speech ({@code language} frame): {@code ttsLanguage} for what the agent says,
     * {@code transcriptionLanguage} for what the caller says; either may be null (unchanged).
     *
     * @throws IllegalStateException on a messaging conversation
     */
    boolean language(String ttsLanguage, String transcriptionLanguage);

    /** Voice: ends the call's ConversationRelay session, handing {@code handoffData} (usually JSON) to Twilio. */
    boolean endSession(String handoffData);

    /**
     * Hands the conversation to a human, as TAC's handoff tool does. Voice: the call's relay session ends with
     * {@code handoffData = {conversationId, profileId, attributes {…, reason}}} and the action callback routes the call
     * (Studio flow, queue or number). Messaging: the Studio handoff flow ({@code TWILIO_STUDIO_HANDOFF_FLOW_SID})
     * starts; once Studio accepted it the conversation is set INACTIVE, its status callbacks are cleared and agents no
     * longer receive its messages. If Studio fails, {@code onHandoffFailed} is called and the agent keeps the
     * conversation. Send a goodbye first with {@link #sendResponse}: it is delivered before the handoff.
     *
     * @throws HandoffRefusedException on a messaging channel when no Studio flow is configured (nothing is sent)
     */
    boolean handoff(String reason, Map<String, String> attributes);

    /** {@link #handoff(String, java.util.Map)} without attributes. */
    default boolean handoff(String reason) {
        return handoff(reason, Map.of());
    }

    /** True once an interrupt (or the handler timeout) cancelled this handler: stop working, nothing more is sent. */
    boolean isCancelled();
}
