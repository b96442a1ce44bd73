package io.switchboard.agent;

/**
 * How ConversationRelay speaks a text token (voice only; ignored on messaging): the {@code text} frame's
 * {@code lang}, {@code interruptible} and {@code preemptible}. A null field is not sent, so Twilio's default (or the
 * TwiML's) applies.
 *
 * @param lang          the language of the text (e.g. {@code es-MX}), for a reply in another language than the call's
 * @param interruptible whether the caller may interrupt this text by speaking
 * @param preemptible   whether the next reply may cut this text short
 */
public record TextOptions(String lang, Boolean interruptible, Boolean preemptible) {
    /** Nothing set: Twilio's defaults. */
    public static final TextOptions DEFAULT = new TextOptions(null, null, null);

    public static TextOptions lang(String lang) {
        return DEFAULT.withLang(lang);
    }

    public TextOptions withLang(String value) {
        return new TextOptions(value, interruptible, preemptible);
    }

    public TextOptions withInterruptible(boolean value) {
        return new TextOptions(lang, value, preemptible);
    }

    public TextOptions withPreemptible(boolean value) {
        return new TextOptions(lang, interruptible, value);
    }
}
