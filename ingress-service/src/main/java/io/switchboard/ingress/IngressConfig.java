package io.switchboard.ingress;

import io.switchboard.channel.ChannelTraits;
import io.switchboard.config.EnvConfig;
import io.switchboard.config.InvalidConfigurationException;
import io.switchboard.config.KafkaSettings;
import io.switchboard.events.Channel;
import io.switchboard.ingress.twiml.RelayAttribute;
import io.switchboard.ingress.twiml.RelayLanguage;
import io.switchboard.ingress.twiml.RelayOptions;
import io.switchboard.ingress.twiml.TwimlRules;
import io.switchboard.ingress.voice.LookupSchedule;
import io.switchboard.twilio.TwilioSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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
    public static final String RELAY_PRODUCE_TIMEOUT = "INGRESS_RELAY_PRODUCE_TIMEOUT_MS";
    public static final String MAX_IN_FLIGHT = "INGRESS_MAX_IN_FLIGHT";
    public static final String MAX_RELAY_SOCKETS = "INGRESS_MAX_RELAY_SOCKETS";
    public static final String FORGED_UPGRADES_PER_MINUTE = "INGRESS_FORGED_UPGRADES_PER_MINUTE";
    public static final String INSECURE_SKIP_SIGNATURE = "SWITCHBOARD_INSECURE_SKIP_SIGNATURE";
    // ConversationRelay attributes: one TWILIO_VOICE_* setting each, declared by RelayAttribute
    public static final String LANGUAGES = "TWILIO_VOICE_LANGUAGES";
    public static final String TWIML_RULES = "SWITCHBOARD_VOICE_TWIML_RULES";
    public static final String TWIML_RULES_FILE = "SWITCHBOARD_VOICE_TWIML_RULES_FILE";
    /** Alias: TAC's voice webhook path (no TAC variable; TAC's server field twiml_path). */
    public static final String TWIML_PATH = TwilioSettings.VOICE_TWIML_PATH;
    public static final String WEBHOOK_PATH = "SWITCHBOARD_WEBHOOK_PATH";
    public static final String CI_WEBHOOK_PATH = "SWITCHBOARD_CI_WEBHOOK_PATH";
    public static final String CHANNELS = "SWITCHBOARD_CHANNELS";
    /** TAC TypeScript's name of CONVERSATION_INTELLIGENCE_CONFIGURATION_ID, accepted as an alias. */
    public static final String TAC_CI_CONFIGURATION_ID = "TWILIO_TAC_CI_CONFIGURATION_ID";
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

    public static final String DEFAULT_WELCOME_GREETING = RelayAttribute.DEFAULT_WELCOME_GREETING;

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
            .define(TAC_CI_CONFIGURATION_ID, Type.STRING, null, Importance.LOW,
                    "TAC TypeScript's name of CONVERSATION_INTELLIGENCE_CONFIGURATION_ID, read when that is unset.")
            .define(CHANNELS, Type.STRING, "VOICE,SMS,WHATSAPP,RCS,CHAT", Importance.MEDIUM,
                    "The channels this deployment registers, comma-separated (TAC registers channels one by one). Without VOICE the voice routes (/twiml, the relay socket, the relay and call event callbacks) are not served (404); a message of a channel not listed is answered 200 and published nowhere: it never reaches an agent. Without any messaging channel /webhook is not served.")
            .define(WEBHOOK_PATH, Type.STRING, "/webhook", Importance.LOW,
                    "Path of the Conversations webhook of every messaging channel (TAC's default `/webhook`); signatures are checked on the URL with this path.")
            .define(CI_WEBHOOK_PATH, Type.STRING, "/ci-webhook", Importance.LOW,
                    "Path of the Conversation Intelligence webhook (served when CONVERSATION_INTELLIGENCE_CONFIGURATION_ID is set); signatures are checked on the URL with this path.")
            .define(PORT, Type.INT, 8080, ConfigDef.Range.between(0, 65535), Importance.MEDIUM, "Public HTTP port, the only one to expose (behind TLS): Twilio's signed routes and `/healthz`, nothing else (0: any free port).")
            .define(INSTANCE_ID, Type.INT, 0, ConfigDef.Range.atLeast(0), Importance.HIGH,
                    "This ingress instance's number = its partition of tac.voice.egress.v1; must be < SWITCHBOARD_VOICE_EGRESS_PARTITIONS.")
            .define(WEBHOOK_BODY_LIMIT, Type.INT, 64 * 1024, ConfigDef.Range.atLeast(1024), Importance.LOW,
                    "Largest accepted webhook body in bytes; larger ones get 413.")
            .define(PRODUCE_TIMEOUT, Type.INT, 5_000, ConfigDef.Range.between(100, 60_000), Importance.LOW,
                    "How long a webhook waits for Kafka's acknowledgement before answering 503 (Twilio then retries).")
            .define(RELAY_PRODUCE_TIMEOUT, Type.INT, 30_000, ConfigDef.Range.between(100, 600_000), Importance.LOW,
                    "How long a ConversationRelay frame's event (setup, prompt, dtmf, interrupt, the socket's close) is retried while Kafka cannot take it (a leader election, a broker away) before it is given up and logged. Longer than INGRESS_PRODUCE_TIMEOUT_MS: Twilio retries a webhook answered 503, but nobody resends a relay frame, and a call whose setup is lost goes unanswered.")
            .define(MAX_IN_FLIGHT, Type.INT, 1_000, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Most webhooks waiting for Kafka's acknowledgement at once; beyond it a webhook is answered 503 with Retry-After at once (Twilio retries), so a flood while Kafka is slow cannot grow memory without bound.")
            .define(MAX_RELAY_SOCKETS, Type.INT, 1_000, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Most ConversationRelay sockets open at once on this instance; a signed upgrade beyond it is answered 503 with Retry-After (counted in switchboard_ingress_relay_upgrades_refused_total{reason=\"capacity\"}).")
            .define(FORGED_UPGRADES_PER_MINUTE, Type.INT, 10, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Relay upgrades with a bad signature tolerated per remote address (the last X-Forwarded-For hop, else the TCP peer) per minute; past it that address's upgrades get 429 with Retry-After before any signature work until the minute is over (counted, reason=\"forged_budget\").")
            .define(INSECURE_SKIP_SIGNATURE, Type.BOOLEAN, false, Importance.LOW,
                    "Development only: `true` accepts requests without a valid X-Twilio-Signature on every route (a WARN at start and on each request). Refused at start when TWILIO_ACCOUNT_SID is a real account SID (only the dev placeholder AC000… is allowed).")
            .define(LANGUAGES, Type.STRING, null, Importance.LOW,
                    "ConversationRelay <Language> children: `code;key=value;…` entries separated by `,`, keys voice, ttsProvider, transcriptionProvider, speechModel, ttsLanguage, transcriptionLanguage; e.g. `es-MX;voice=Polly.Mia;ttsProvider=Amazon,fr-FR`.")
            .define(TWIML_RULES, Type.STRING, null, Importance.LOW,
                    "Per-call TwiML rules, a JSON array: `[{\"match\": {\"CallerCountry\": \"MX\"}, \"set\": {\"language\": \"es-MX\"}}]`; every rule whose match holds (request parameter equal, or starting with a value ending in `*`) overrides ConversationRelay attributes (by TwiML name; null removes one) or `languages` for that call, in order. See the README's Voice section.")
            .define(TWIML_RULES_FILE, Type.STRING, null, Importance.LOW,
                    "A file holding the per-call TwiML rules (the JSON of SWITCHBOARD_VOICE_TWIML_RULES), read at start; not both.")
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

    static {
        for (RelayAttribute attribute : RelayAttribute.values()) {
            attribute.define(DEFINITION);
        }
    }

    private final KafkaSettings kafka;
    private final TwilioSettings twilio;
    private final RelayOptions relayOptions;
    private final TwimlRules twimlRules;
    private final Set<Channel> channels;

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
        checkPaths();
        this.channels = parseChannels(getString(CHANNELS));
        this.relayOptions = relayOptionsFromSettings();
        this.twimlRules = loadTwimlRules();
        if (insecureSkipSignature() && isRealAccountSid(twilio.accountSid())) {
            throw new InvalidConfigurationException(INSECURE_SKIP_SIGNATURE + "=true is refused with a real Twilio account ("
                    + ACCOUNT_SID + "=" + twilio.accountSid().substring(0, 6) + "…): signatures are only skipped with the dev "
                    + "placeholder " + DEV_ACCOUNT_SID + "; unset " + INSECURE_SKIP_SIGNATURE + " for a real account");
        }
    }

    private static Set<Channel> parseChannels(String value) {
        Set<Channel> channels = EnumSet.noneOf(Channel.class);
        for (String name : value.split(",")) {
            if (name.isBlank()) {
                continue;
            }
            try {
                Channel channel = Channel.valueOf(name.trim().toUpperCase(Locale.ROOT));
                if (channel == Channel.UNKNOWN) {
                    throw new IllegalArgumentException();
                }
                channels.add(channel);
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigurationException(CHANNELS + ": unknown channel '" + name.trim()
                        + "' (VOICE, SMS, WHATSAPP, RCS, CHAT)");
            }
        }
        if (channels.isEmpty()) {
            throw new InvalidConfigurationException(CHANNELS + " names no channel: register at least one");
        }
        return Collections.unmodifiableSet(channels);
    }

    /** The channels this deployment registers ({@code SWITCHBOARD_CHANNELS}). */
    public Set<Channel> channels() {
        return channels;
    }

    /** AC + 32 hex digits, as Twilio's account SIDs are, other than the dev placeholder. */
    static boolean isRealAccountSid(String sid) {
        return sid != null && REAL_ACCOUNT_SID.matcher(sid.trim()).matches() && !sid.trim().equals(DEV_ACCOUNT_SID);
    }

    public static IngressConfig fromEnv(Map<String, String> env) {
        return load(IngressConfig::new, env);
    }

    /** Every path starts with '/' and names one route. */
    private void checkPaths() {
        Map<String, String> byPath = new LinkedHashMap<>();
        Map<String, String> paths = new LinkedHashMap<>();
        paths.put(TWIML_PATH, twimlPath());
        paths.put(WEBSOCKET_PATH, websocketPath());
        paths.put(ACTION_PATH, actionPath());
        paths.put(WEBHOOK_PATH, webhookPath());
        paths.put(CI_WEBHOOK_PATH, ciWebhookPath());
        for (String event : CALL_EVENTS) {
            paths.put(TwilioSettings.VOICE_CALL_EVENT_PATH + " (" + event + ")", callEventPath(event));
        }
        paths.forEach((setting, path) -> {
            if (!path.startsWith("/")) {
                throw new InvalidConfigurationException(setting + " must start with '/': " + path);
            }
            if (path.equals("/healthz")) {
                throw new InvalidConfigurationException(setting + " must not be /healthz");
            }
            String other = byPath.putIfAbsent(path, setting);
            if (other != null) {
                throw new InvalidConfigurationException(setting + " and " + other + " are both " + path + ": each route needs its own path");
            }
        });
    }

    /** The ConversationRelay options every call starts with: the TWILIO_VOICE_* settings. */
    private RelayOptions relayOptionsFromSettings() {
        RelayOptions options = RelayOptions.none();
        for (RelayAttribute attribute : RelayAttribute.values()) {
            options = options.with(attribute, optionalString(attribute.setting()));
        }
        try {
            return options.withLanguages(RelayLanguage.parseList(optionalString(LANGUAGES)));
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(LANGUAGES + ": " + e.getMessage());
        }
    }

    private TwimlRules loadTwimlRules() {
        String inline = optionalString(TWIML_RULES);
        String file = optionalString(TWIML_RULES_FILE);
        if (inline != null && file != null) {
            throw new InvalidConfigurationException("Set " + TWIML_RULES + " or " + TWIML_RULES_FILE + ", not both");
        }
        String source = inline != null ? TWIML_RULES : TWIML_RULES_FILE + " (" + file + ")";
        String json = inline;
        if (file != null) {
            try {
                json = Files.readString(Path.of(file));
            } catch (IOException | InvalidPathException e) {
                throw new InvalidConfigurationException(source + " cannot be read: " + e);
            }
        }
        if (json == null) {
            return TwimlRules.none();
        }
        try {
            return TwimlRules.parse(json);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(source + ": " + e.getMessage());
        }
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

    /** Path of the voice webhook Twilio asks for a call's TwiML at. */
    /** The call events ingress serves under {@code TWILIO_VOICE_CALL_EVENT_PATH}, as TAC. */
    public static final List<String> CALL_EVENTS = List.of("status", "amd", "recording");

    /** The route of one call event ({@code status}, {@code amd}, {@code recording}). */
    public String callEventPath(String event) {
        String base = twilio.voiceCallEventPath();
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/" + event;
    }

    public String twimlPath() {
        return twilio.voiceTwimlPath();
    }

    public String webhookPath() {
        return getString(WEBHOOK_PATH);
    }

    public String ciWebhookPath() {
        return getString(CI_WEBHOOK_PATH);
    }

    public Optional<String> conversationConfigurationId() {
        return Optional.ofNullable(twilio.conversationConfigurationId());
    }

    /** Set: {@code /ci-webhook} is served and accepts this Conversation Intelligence configuration's events. */
    public Optional<String> intelligenceConfigurationId() {
        return Optional.ofNullable(optionalString(CI_CONFIGURATION_ID, TAC_CI_CONFIGURATION_ID));
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
        List<String> settings = new ArrayList<>();
        for (ChannelTraits traits : ChannelTraits.values()) {
            settings.add(traits.ownAddressSetting());
        }
        settings.add(TwilioSettings.RCS_SENDER_IDS);
        for (String setting : settings) {
            String value = optionalString(setting);
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

    public Duration relayProduceTimeout() {
        return Duration.ofMillis(getInt(RELAY_PRODUCE_TIMEOUT));
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

    /** The ConversationRelay options of every call before the TwiML rules and customizers: the settings'. */
    public RelayOptions relayOptions() {
        return relayOptions;
    }

    /** The per-call TwiML rules (none when neither rules setting is set). */
    public TwimlRules twimlRules() {
        return twimlRules;
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
