package io.switchboard.ingress.twiml;

import com.twilio.twiml.voice.ConversationRelay;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Every {@code <ConversationRelay>} attribute ingress can emit (those TAC emits), each with its Twilio name, its
 * setting ({@code TWILIO_VOICE_} + the constant's name), the values Twilio accepts and how it reaches the Twilio SDK's
 * builder. An attribute without a value is not emitted, so Twilio's own default applies; only {@code welcomeGreeting}
 * has a default, TAC's.
 */
public enum RelayAttribute {
    WELCOME_GREETING("welcomeGreeting", Kind.TEXT, "What the call hears first (TAC's default).",
            ConversationRelay.Builder::welcomeGreeting),
    WELCOME_GREETING_INTERRUPTIBLE("welcomeGreetingInterruptible", Kind.INTERRUPTION,
            "What may interrupt the welcome greeting: none, dtmf, speech, any (true = any, false = none).",
            ConversationRelay.Builder::welcomeGreetingInterruptible),
    LANGUAGE("language", Kind.TEXT, "Language of speech recognition and synthesis (e.g. en-US); ttsLanguage / transcriptionLanguage override it for one side.",
            ConversationRelay.Builder::language),
    TTS_LANGUAGE("ttsLanguage", Kind.TEXT, "Language of speech synthesis.", ConversationRelay.Builder::ttsLanguage),
    TRANSCRIPTION_LANGUAGE("transcriptionLanguage", Kind.TEXT, "Language of speech recognition.",
            ConversationRelay.Builder::transcriptionLanguage),
    VOICE("voice", Kind.TEXT, "Text-to-speech voice.", ConversationRelay.Builder::voice),
    TTS_PROVIDER("ttsProvider", Kind.TEXT, "Text-to-speech provider (Google, Amazon, ElevenLabs).",
            ConversationRelay.Builder::ttsProvider),
    TRANSCRIPTION_PROVIDER("transcriptionProvider", Kind.TEXT, "Speech recognition provider (Google, Deepgram).",
            ConversationRelay.Builder::transcriptionProvider),
    SPEECH_MODEL("speechModel", Kind.TEXT, "Speech recognition model (e.g. nova-3-general, telephony).",
            ConversationRelay.Builder::speechModel),
    ELEVENLABS_TEXT_NORMALIZATION("elevenlabsTextNormalization", Kind.choice("on", "auto", "off"),
            "ElevenLabs text normalization: on, auto, off.", ConversationRelay.Builder::elevenlabsTextNormalization),
    // The SDK (13.0.1) has no eotThreshold: written with its generic option under Twilio's name.
    EOT_THRESHOLD("eotThreshold", Kind.NUMBER, "End-of-turn confidence threshold of the turn detection (a number, e.g. 0.7).",
            null),
    PARTIAL_PROMPTS("partialPrompts", Kind.BOOLEAN, "Send prompts while the caller still speaks (true, false).",
            (relay, v) -> relay.partialPrompts(Boolean.valueOf(v))),
    // The SDK's deepgramsmartformat() writes the attribute in lower case; Twilio's name is camel case.
    DEEPGRAM_SMART_FORMAT("deepgramSmartFormat", Kind.BOOLEAN, "Deepgram smart formatting of transcripts (true, false).", null),
    // The SDK's speechtimeout() writes the attribute in lower case; Twilio's name is camel case.
    SPEECH_TIMEOUT("speechTimeout", Kind.TEXT, "How long silence ends the caller's speech (milliseconds, as Twilio documents).", null),
    INTERRUPTIBLE("interruptible", Kind.INTERRUPTION,
            "What may interrupt the agent's speech: none, dtmf, speech, any (true = any, false = none).",
            ConversationRelay.Builder::interruptible),
    INTERRUPT_SENSITIVITY("interruptSensitivity", Kind.choice("low", "medium", "high"),
            "How readily speech interrupts: low, medium, high.", ConversationRelay.Builder::interruptSensitivity),
    // The SDK takes a Boolean; Twilio also takes none / dtmf / speech / any: written with the generic option.
    REPORT_INPUT_DURING_AGENT_SPEECH("reportInputDuringAgentSpeech", Kind.choice("none", "dtmf", "speech", "any", "true", "false"),
            "Which caller input is reported while the agent speaks and cannot be interrupted: none, dtmf, speech, any (or true, false).",
            null),
    // The SDK's ignorebackchannel() writes the attribute in lower case; Twilio's name is camel case.
    IGNORE_BACKCHANNEL("ignoreBackchannel", Kind.BOOLEAN, "Short acknowledgements (\"uh-huh\") do not interrupt (true, false).", null),
    PREEMPTIBLE("preemptible", Kind.BOOLEAN, "The next talk cycle's text may cut the current one's speech (true, false).",
            (relay, v) -> relay.preemptible(Boolean.valueOf(v))),
    DTMF_DETECTION("dtmfDetection", Kind.BOOLEAN, "Key presses are sent as dtmf frames (true, false).",
            (relay, v) -> relay.dtmfDetection(Boolean.valueOf(v))),
    PROFANITY_FILTER("profanityFilter", Kind.BOOLEAN, "Profanity is masked in transcripts (true, false).",
            (relay, v) -> relay.profanityFilter(Boolean.valueOf(v))),
    HINTS("hints", Kind.TEXT, "Comma-separated words and phrases that help speech recognition.", ConversationRelay.Builder::hints),
    EVENTS("events", Kind.TEXT, "Events Twilio reports on the socket (as Twilio documents them).", ConversationRelay.Builder::events),
    DEBUG("debug", Kind.TEXT, "Debug options (e.g. `debugging speaker-events`); Twilio then sends `info` frames.",
            ConversationRelay.Builder::debug),
    INTELLIGENCE_SERVICE("intelligenceService", Kind.TEXT, "Conversational Intelligence service (GA… SID or unique name) that receives the transcript.",
            ConversationRelay.Builder::intelligenceService);

    /** TAC's welcome greeting, the one attribute with a default. */
    public static final String DEFAULT_WELCOME_GREETING = "Hello! How can I assist you today?";
    private static final String SETTING_PREFIX = "TWILIO_VOICE_";

    private final String twilioName;
    private final Kind kind;
    private final String doc;
    private final BiConsumer<ConversationRelay.Builder, String> sdkSetter;

    RelayAttribute(String twilioName, Kind kind, String doc, BiConsumer<ConversationRelay.Builder, String> sdkSetter) {
        this.twilioName = twilioName;
        this.kind = kind;
        this.doc = doc;
        this.sdkSetter = sdkSetter;
    }

    /** The attribute's name in TwiML. */
    public String twilioName() {
        return twilioName;
    }

    /** Its environment variable, e.g. {@code TWILIO_VOICE_SPEECH_MODEL}. */
    public String setting() {
        return SETTING_PREFIX + name();
    }

    /** By TwiML name, e.g. {@code speechModel}. */
    public static Optional<RelayAttribute> byTwilioName(String name) {
        for (RelayAttribute attribute : values()) {
            if (attribute.twilioName.equals(name)) {
                return Optional.of(attribute);
            }
        }
        return Optional.empty();
    }

    /**
     * The value as it is emitted (booleans and choices in lower case, interruption booleans as any / none).
     * @throws IllegalArgumentException naming the attribute and the accepted values when Twilio would refuse it
     */
    public String normalize(String value) {
        String trimmed = value == null ? "" : value.trim();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException(twilioName + " must not be empty");
        }
        if (!TwimlText.isXmlText(trimmed)) {
            throw new IllegalArgumentException(twilioName + " holds a control character, which TwiML cannot carry");
        }
        return kind.normalize(twilioName, trimmed);
    }

    /** Writes the (normalized) value onto the builder: the SDK's setter, or its generic option where the SDK lacks one. */
    void apply(ConversationRelay.Builder relay, String value) {
        if (sdkSetter != null) {
            sdkSetter.accept(relay, value);
        } else {
            relay.option(twilioName, value);
        }
    }

    /** Declares the attribute's setting. */
    public void define(ConfigDef def) {
        String defaultValue = this == WELCOME_GREETING ? DEFAULT_WELCOME_GREETING : null;
        ConfigDef.Validator validator = (name, value) -> {
            if (value != null && !value.toString().isBlank()) {
                try {
                    normalize(value.toString());
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(name, value, e.getMessage());
                }
            }
        };
        def.define(setting(), ConfigDef.Type.STRING, defaultValue, validator, ConfigDef.Importance.LOW,
                "ConversationRelay `" + twilioName + "`: " + doc
                        + (defaultValue == null ? " Unset: not emitted (Twilio's default applies)." : ""));
    }

    /** What values an attribute takes. */
    private interface Kind {
        Kind TEXT = (name, value) -> value;
        Kind BOOLEAN = choice("true", "false");
        Kind INTERRUPTION = (name, value) -> {
            String v = choice("none", "dtmf", "speech", "any", "true", "false").normalize(name, value);
            return v.equals("true") ? "any" : v.equals("false") ? "none" : v;
        };
        Kind NUMBER = (name, value) -> {
            try {
                Double.parseDouble(value);
                return value;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a number, not '" + value + "'");
            }
        };

        String normalize(String name, String value);

        static Kind choice(String... accepted) {
            List<String> values = List.of(accepted);
            return (name, value) -> {
                String v = value.toLowerCase(Locale.ROOT);
                if (!values.contains(v)) {
                    throw new IllegalArgumentException(name + " must be one of " + String.join(", ", values) + ", not '" + value + "'");
                }
                return v;
            };
        }
    }
}
