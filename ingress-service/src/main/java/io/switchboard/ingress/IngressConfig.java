package io.switchboard.ingress;

import io.switchboard.channel.ChannelTraits;
import io.switchboard.config.EnvConfig;
import io.switchboard.config.InvalidConfigurationException;
import io.switchboard.config.KafkaSettings;
import io.switchboard.events.Channel;
import io.switchboard.ingress.voice.LookupSchedule;
import io.switchboard.ingress.voice.TwimlText;
import io.switchboard.twilio.TwilioSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Settings of the ingress service; TAC's variable names where TAC has one. */
public final class IngressConfig extends EnvConfig {
    /** Alias: the launcher reads it too. */
    public static final String ACCOUNT_SID = TwilioSettings.ACCOUNT_SID;
    public static final String WEBSOCKET_PATH = "TWILIO_VOICE_WEBSOCKET_PATH";
    public static final String ACTION_PATH = "TWILIO_VOICE_ACTION_PATH";
    public static final String CI_CONFIGURATION_ID = "CONVERSATION_INTELLIGENCE_CONFIGURATION_ID";
    public static final String HANDOFF_QUEUE = "SWITCHBOARD_HANDOFF_QUEUE";
    public static final String HANDOFF_DIAL = "SWITCHBOARD_HANDOFF_DIAL";
    public static final String PORT = "PORT";
    public static final String INSTANCE_ID = "INGRESS_INSTANCE_ID";
    public static final String WEBHOOK_BODY_LIMIT = "INGRESS_WEBHOOK_BODY_LIMIT_BYTES";
    public static final String PRODUCE_TIMEOUT = "INGRESS_PRODUCE_TIMEOUT_MS";
    public static final String MAX_IN_FLIGHT = "INGRESS_MAX_IN_FLIGHT";
    public static final String MAX_RELAY_SOCKETS = "INGRESS_MAX_RELAY_SOCKETS";
    public static final String FORGED_UPGRADES_PER_MINUTE = "INGRESS_FORGED_UPGRADES_PER_MINUTE";
    public static final String INSECURE_SKIP_SIGNATURE = "SWITCHBOARD_INSECURE_SKIP_SIGNATURE";
    public static final String WELCOME_GREETING = "TWILIO_VOICE_WELCOME_GREETING";
    public static final String VOICE = "TWILIO_VOICE_VOICE";
    public static final String LANGUAGE = "TWILIO_VOICE_LANGUAGE";
    public static final String TRANSCRIPTION_PROVIDER = "TWILIO_VOICE_TRANSCRIPTION_PROVIDER";
    public static final String TTS_PROVIDER = "TWILIO_VOICE_TTS_PROVIDER";
    public static final String INTERRUPTIBLE = "TWILIO_VOICE_INTERRUPTIBLE";
    public static final String DTMF_DETECTION = "TWILIO_VOICE_DTMF_DETECTION";
    public static final String PARTIAL_PROMPTS = "TWILIO_VOICE_PARTIAL_PROMPTS";
    public static final String DEBUG = "TWILIO_VOICE_DEBUG";
    public static final String LANGUAGES = "TWILIO_VOICE_LANGUAGES";
    // Twilio REST calls of ingress: the orchestrated voice lookup, participant reconciliation of messaging
    public static final String LOOKUP_ATTEMPTS = "SWITCHBOARD_VOICE_LOOKUP_ATTEMPTS";
    public static final String LOOKUP_INITIAL_BACKOFF = "SWITCHBOARD_VOICE_LOOKUP_INITIAL_BACKOFF_MS";
    public static final String LOOKUP_MAX_BACKOFF = "SWITCHBOARD_VOICE_LOOKUP_MAX_BACKOFF_MS";
    public static final String LOOKUP_HTTP_TIMEOUT = "SWITCHBOARD_VOICE_LOOKUP_HTTP_TIMEOUT_MS";
    public static final String PHONE_TRAIT_GROUP = "TWILIO_MEMORY_PHONE_TRAIT_GROUP";
    public static final String PHONE_TRAIT_FIELD = "TWILIO_MEMORY_PHONE_TRAIT_FIELD";
    public static final String TWILIO_TIMEOUT = "INGRESS_TWILIO_TIMEOUT_MS";
    public static final String TWILIO_THREADS = "INGRESS_TWILIO_THREADS";

    /** Alias: the launcher and dev read it too. */
    public static final String DEV_ACCOUNT_SID = TwilioSettings.DEV_ACCOUNT_SID;
    private static final Pattern REAL_ACCOUNT_SID = Pattern.compile("AC[0-9a-fA-F]{32}");

    public static final String DEFAULT_WELCOME_GREETING = "Hello! How can I assist you today?";

    public static final ConfigDef DEFINITION = TwilioSettings.defineAll(KafkaSettings.define(new ConfigDef()), true)
            .define(WEBSOCKET_PATH, Type.STRING, "/ws", Importance.MEDIUM, "Path of the ConversationRelay WebSocket.")
            .define(ACTION_PATH, Type.STRING, "/conversation-relay-callback", Importance.MEDIUM,
                    "Path of the ConversationRelay action callback: the <Connect action> when no Studio handoff flow is set (both modes).")
            .define(HANDOFF_QUEUE, Type.STRING, null, Importance.MEDIUM,
                    "Voice handoff without a Studio flow: the relay callback answers <Enqueue> to this queue (the queue gets the call, not the HandoffData, which reaches the agent's onConversationEnded).")
            .define(HANDOFF_DIAL, Type.STRING, null, Importance.MEDIUM,
                    "Voice handoff without a Studio flow or queue: the relay callback answers <Dial> to this number (it gets the call, not the HandoffData).")
            .define(CI_CONFIGURATION_ID, Type.STRING, null, Importance.MEDIUM,
                    "Conversation Intelligence configuration id; set: `POST /ci-webhook` is served (unset: 404) and its operator results go to tac.ci.v1; events of another configuration are answered `skipped`.")
            .define(PORT, Type.INT, 8080, ConfigDef.Range.between(0, 65535), Importance.MEDIUM, "Public HTTP port, the only one to expose (behind TLS): Twilio's signed routes and `/healthz`, nothing else (0: any free port).")
            .define(INSTANCE_ID, Type.INT, 0, ConfigDef.Range.atLeast(0), Importance.HIGH,
                    "This ingress instance's number = its partition of tac.voice.egress.v1; must be < SWITCHBOARD_VOICE_EGRESS_PARTITIONS.")
            .define(WEBHOOK_BODY_LIMIT, Type.INT, 64 * 1024, ConfigDef.Range.atLeast(1024), Importance.LOW,
                    "Largest accepted webhook body in bytes; larger ones get 413.")
            .define(PRODUCE_TIMEOUT, Type.INT, 5_000, ConfigDef.Range.between(100, 60_000), Importance.LOW,
                    "How long a webhook waits for Kafka's acknowledgement before answering 503 (Twilio then retries).")
            .define(MAX_IN_FLIGHT, Type.INT, 1_000, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Most webhooks waiting for Kafka's acknowledgement at once; beyond it a webhook is answered 503 with Retry-After at once (Twilio retries), so a flood while Kafka is slow cannot grow memory without bound.")
            .define(MAX_RELAY_SOCKETS, Type.INT, 1_000, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Most ConversationRelay sockets open at once on this instance; a signed upgrade beyond it is answered 503 with Retry-After (counted in switchboard_ingress_relay_upgrades_refused_total{reason=\"capacity\"}).")
            .define(FORGED_UPGRADES_PER_MINUTE, Type.INT, 10, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Relay upgrades with a bad signature tolerated per remote address (the last X-Forwarded-For hop, else the TCP peer) per minute; past it that address's upgrades get 429 with Retry-After before any signature work until the minute is over (counted, reason=\"forged_budget\").")
            .define(INSECURE_SKIP_SIGNATURE, Type.BOOLEAN, false, Importance.LOW,
                    "Development only: `true` accepts requests without a valid X-Twilio-Signature on every route (a WARN at start and on each request). Refused at start when TWILIO_ACCOUNT_SID is a real account SID (only the dev placeholder AC000… is allowed).")
            .define(WELCOME_GREETING, Type.STRING, DEFAULT_WELCOME_GREETING, Importance.LOW, "ConversationRelay welcomeGreeting.")
            .define(VOICE, Type.STRING, null, Importance.LOW, "ConversationRelay voice.")
            .define(LANGUAGE, Type.STRING, "en-US", Importance.LOW, "ConversationRelay language.")
            .define(TRANSCRIPTION_PROVIDER, Type.STRING, null, Importance.LOW, "ConversationRelay transcriptionProvider.")
            .define(TTS_PROVIDER, Type.STRING, null, Importance.LOW, "ConversationRelay ttsProvider.")
            .define(INTERRUPTIBLE, Type.STRING, "any", ConfigDef.CaseInsensitiveValidString.in("none", "dtmf", "speech", "any", "true", "false"),
                    Importance.LOW, "ConversationRelay interruptible: none, dtmf, speech, any (true = any, false = none).")
            .define(DTMF_DETECTION, Type.BOOLEAN, true, Importance.LOW, "ConversationRelay dtmfDetection.")
            .define(PARTIAL_PROMPTS, Type.BOOLEAN, false, Importance.LOW, "ConversationRelay partialPrompts.")
            .define(DEBUG, Type.STRING, null, Importance.LOW, "ConversationRelay debug (e.g. `debugging speaker-events`); Twilio then sends `info` frames.")
            .define(LANGUAGES, Type.STRING, null, Importance.LOW,
                    "ConversationRelay <Language> children: `code;key=value;…` entries separated by `,`, keys voice, ttsProvider, transcriptionProvider, speechModel; e.g. `es-MX;voice=Polly.Mia;ttsProvider=Amazon,fr-FR`.")
            .define(LOOKUP_ATTEMPTS, Type.INT, 10, ConfigDef.Range.between(1, 100), Importance.LOW,
                    "Orchestrated voice: tries of the conversation lookup after `setup` before the call goes on under its call SID (TAC: 10).")
            .define(LOOKUP_INITIAL_BACKOFF, Type.INT, 250, ConfigDef.Range.between(0, 60_000), Importance.LOW,
                    "Orchestrated voice: wait after the first empty lookup; doubles after each (TAC: 250 ms).")
            .define(LOOKUP_MAX_BACKOFF, Type.INT, 1_500, ConfigDef.Range.between(0, 60_000), Importance.LOW,
                    "Orchestrated voice: longest wait between lookups (TAC: 1.5 s).")
            .define(LOOKUP_HTTP_TIMEOUT, Type.INT, 3_000, ConfigDef.Range.between(100, 60_000), Importance.LOW,
                    "Orchestrated voice: timeout of one lookup HTTP call.")
            .define(PHONE_TRAIT_GROUP, Type.STRING, "Contact", Importance.LOW,
                    "Trait group holding the phone identifier of a profile ingress creates (TAC's default).")
            .define(PHONE_TRAIT_FIELD, Type.STRING, "phone", Importance.LOW,
                    "Trait field (in TWILIO_MEMORY_PHONE_TRAIT_GROUP) holding the phone identifier of a created profile.")
            .define(TWILIO_TIMEOUT, Type.INT, 5_000, ConfigDef.Range.between(100, 60_000), Importance.LOW,
                    "Timeout of one Twilio REST call of ingress (participant reconciliation); the webhook is answered after it at the latest.")
            .define(TWILIO_THREADS, Type.INT, 16, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Threads making ingress's blocking Twilio calls (never on the event loop); one slow conversation holds at most one.");

    /** One `<Language>` child of ConversationRelay. */
    public record RelayLanguage(String code, Map<String, String> attributes) {
    }

    private final KafkaSettings kafka;
    private final TwilioSettings twilio;
    private final List<RelayLanguage> languages;

    public IngressConfig(Map<String, String> env) {
        super(DEFINITION, env);
        this.kafka = new KafkaSettings(env);
        this.twilio = TwilioSettings.of(this);
        if (instanceId() >= kafka.voiceEgressPartitions()) {
            throw new InvalidConfigurationException(INSTANCE_ID + "=" + instanceId() + " must be below "
                    + KafkaSettings.VOICE_EGRESS_PARTITIONS + "=" + kafka.voiceEgressPartitions());
        }
        if (twilio.authToken() == null) {
            throw new InvalidConfigurationException(TwilioSettings.AUTH_TOKEN
                    + " is required: Twilio signatures are always checked");
        }
        for (String path : List.of(websocketPath(), actionPath())) {
            if (!path.startsWith("/")) {
                throw new InvalidConfigurationException("Paths must start with '/': " + path);
            }
        }
        for (String setting : List.of(WELCOME_GREETING, VOICE, LANGUAGE, TRANSCRIPTION_PROVIDER, TTS_PROVIDER, DEBUG, LANGUAGES)) {
            String value = optionalString(setting);
            if (value != null && !TwimlText.isXmlText(value)) {
                throw new InvalidConfigurationException(setting + " holds a control character, which TwiML cannot carry");
            }
        }
        this.languages = parseLanguages(optionalString(LANGUAGES));
        if (insecureSkipSignature() && isRealAccountSid(twilio.accountSid())) {
            throw new InvalidConfigurationException(INSECURE_SKIP_SIGNATURE + "=true is refused with a real Twilio account ("
                    + ACCOUNT_SID + "=" + twilio.accountSid().substring(0, 6) + "…): signatures are only skipped with the dev "
                    + "placeholder " + DEV_ACCOUNT_SID + "; unset " + INSECURE_SKIP_SIGNATURE + " for a real account");
        }
    }

    /** AC + 32 hex digits, as Twilio's account SIDs are, other than the dev placeholder. */
    static boolean isRealAccountSid(String sid) {
        return sid != null && REAL_ACCOUNT_SID.matcher(sid.trim()).matches() && !sid.trim().equals(DEV_ACCOUNT_SID);
    }

    public static IngressConfig fromEnv(Map<String, String> env) {
        return load(IngressConfig::new, env);
    }

    static List<RelayLanguage> parseLanguages(String value) {
        List<RelayLanguage> result = new ArrayList<>();
        if (value == null) {
            return result;
        }
        for (String entry : value.split(",")) {
            String[] parts = entry.trim().split(";");
            if (parts.length == 0 || parts[0].isBlank()) { // ";" alone splits into nothing (found by TwimlOptionsFuzzTest)
                continue;
            }
            Map<String, String> attributes = new LinkedHashMap<>();
            for (int i = 1; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                if (eq <= 0) {
                    throw new InvalidConfigurationException(LANGUAGES + ": expected key=value in '" + parts[i] + "'");
                }
                String key = parts[i].substring(0, eq).trim();
                if (!List.of("voice", "ttsProvider", "transcriptionProvider", "speechModel").contains(key)) {
                    throw new InvalidConfigurationException(LANGUAGES + ": unknown attribute '" + key + "'");
                }
                attributes.put(key, parts[i].substring(eq + 1).trim());
            }
            result.add(new RelayLanguage(parts[0].trim(), Map.copyOf(attributes)));
        }
        return List.copyOf(result);
    }

    public KafkaSettings kafka() {
        return kafka;
    }

    /** The Twilio account, API key, endpoint, Orchestrator configuration and handoff flow. */
    public TwilioSettings twilio() {
        return twilio;
    }

    public String handoffQueue() {
        return optionalString(HANDOFF_QUEUE);
    }

    public String handoffDial() {
        return optionalString(HANDOFF_DIAL);
    }

    public Optional<String> publicDomain() {
        return Optional.ofNullable(twilio.voicePublicDomain());
    }

    public String websocketPath() {
        return getString(WEBSOCKET_PATH);
    }

    public String actionPath() {
        return getString(ACTION_PATH);
    }

    public Optional<String> conversationConfigurationId() {
        return Optional.ofNullable(twilio.conversationConfigurationId());
    }

    /** Set: {@code /ci-webhook} is served and accepts this Conversation Intelligence configuration's events. */
    public Optional<String> intelligenceConfigurationId() {
        return Optional.ofNullable(optionalString(CI_CONFIGURATION_ID));
    }

    /** Orchestrated voice: conversation ids come from Conversation Orchestrator, not the call SID. */
    public boolean orchestrated() {
        return conversationConfigurationId().isPresent();
    }

    /**
     * Switchboard's own addresses on every channel (each setting may list several, comma-separated, as TAC's
     * TWILIO_RCS_SENDER_IDS does), for telling its own messages apart.
     */
    public Set<String> ownAddresses() {
        Set<String> own = new LinkedHashSet<>();
        for (ChannelTraits traits : ChannelTraits.values()) {
            String value = optionalString(traits.ownAddressSetting());
            if (value != null) {
                for (String address : value.split(",")) {
                    if (!address.isBlank()) {
                        own.add(address.trim());
                    }
                }
            }
        }
        return own;
    }

    public String phoneTraitGroup() {
        return getString(PHONE_TRAIT_GROUP);
    }

    public String phoneTraitField() {
        return getString(PHONE_TRAIT_FIELD);
    }

    public Duration twilioTimeout() {
        return Duration.ofMillis(getInt(TWILIO_TIMEOUT));
    }

    public int twilioThreads() {
        return getInt(TWILIO_THREADS);
    }

    /** The agent's own address on {@code channel} (the first when a setting lists several), or null. */
    public String ownAddress(Channel channel) {
        for (ChannelTraits traits : ChannelTraits.values()) {
            if (traits.channel() == channel) {
                String value = optionalString(traits.ownAddressSetting());
                return value == null ? null : value.split(",")[0].trim();
            }
        }
        return null;
    }

    public int port() {
        return getInt(PORT);
    }

    public int instanceId() {
        return getInt(INSTANCE_ID);
    }

    public int webhookBodyLimit() {
        return getInt(WEBHOOK_BODY_LIMIT);
    }

    public Duration produceTimeout() {
        return Duration.ofMillis(getInt(PRODUCE_TIMEOUT));
    }

    public int maxInFlight() {
        return getInt(MAX_IN_FLIGHT);
    }

    public int maxRelaySockets() {
        return getInt(MAX_RELAY_SOCKETS);
    }

    public int forgedUpgradesPerMinute() {
        return getInt(FORGED_UPGRADES_PER_MINUTE);
    }

    /** Development only: X-Twilio-Signature is not checked (never with a real account SID, refused at start). */
    public boolean insecureSkipSignature() {
        return getBoolean(INSECURE_SKIP_SIGNATURE);
    }

    public String welcomeGreeting() {
        return optionalString(WELCOME_GREETING);
    }

    public String voice() {
        return optionalString(VOICE);
    }

    public String language() {
        return optionalString(LANGUAGE);
    }

    public String transcriptionProvider() {
        return optionalString(TRANSCRIPTION_PROVIDER);
    }

    public String ttsProvider() {
        return optionalString(TTS_PROVIDER);
    }

    /** none, dtmf, speech or any (booleans mapped to any / none). */
    public String interruptible() {
        String value = getString(INTERRUPTIBLE).toLowerCase(Locale.ROOT);
        return switch (value) {
            case "true" -> "any";
            case "false" -> "none";
            default -> value;
        };
    }

    public boolean dtmfDetection() {
        return getBoolean(DTMF_DETECTION);
    }

    public boolean partialPrompts() {
        return getBoolean(PARTIAL_PROMPTS);
    }

    public String debug() {
        return optionalString(DEBUG);
    }

    public List<RelayLanguage> languages() {
        return languages;
    }

    /** The orchestrated voice lookup's retry schedule (TAC: 10 tries, 250 ms doubling, capped at 1.5 s). */
    public LookupSchedule lookupSchedule() {
        return new LookupSchedule(getInt(LOOKUP_ATTEMPTS), Duration.ofMillis(getInt(LOOKUP_INITIAL_BACKOFF)),
                Duration.ofMillis(getInt(LOOKUP_MAX_BACKOFF)));
    }

    public Duration lookupHttpTimeout() {
        return Duration.ofMillis(getInt(LOOKUP_HTTP_TIMEOUT));
    }
}
