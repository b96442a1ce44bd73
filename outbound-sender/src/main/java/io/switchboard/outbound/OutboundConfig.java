package io.switchboard.outbound;

import io.switchboard.channel.ChannelTraits;
import io.switchboard.config.EnvConfig;
import io.switchboard.config.InvalidConfigurationException;
import io.switchboard.config.KafkaSettings;
import io.switchboard.events.Channel;
import io.switchboard.twilio.RetryPolicy;
import io.switchboard.twilio.TwilioAccess;
import io.switchboard.twilio.TwilioSettings;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Settings of the outbound sender, keyed by environment variable (TAC's names where TAC has one). */
public final class OutboundConfig extends EnvConfig {
    // aliases of the Twilio settings the launcher's and this module's test fixtures set
    public static final String ACCOUNT_SID = TwilioSettings.ACCOUNT_SID;
    public static final String AUTH_TOKEN = TwilioSettings.AUTH_TOKEN;
    public static final String API_KEY = TwilioSettings.API_KEY;
    public static final String API_SECRET = TwilioSettings.API_SECRET;
    public static final String API_BASE_URL = TwilioSettings.API_BASE_URL;
    public static final String PHONE_NUMBER = TwilioSettings.PHONE_NUMBER;
    public static final String VOICE_TWIML_URL = "SWITCHBOARD_VOICE_TWIML_URL";
    public static final String VOICE_CALL_EVENT_URL = "SWITCHBOARD_VOICE_CALL_EVENT_URL";
    public static final String GROUP_ID = "OUTBOUND_GROUP_ID";
    public static final String INSTANCE_ID = "OUTBOUND_INSTANCE_ID";
    public static final String WORKER_THREADS = "OUTBOUND_WORKER_THREADS";
    public static final String RETRY_MAX_ATTEMPTS = "OUTBOUND_RETRY_MAX_ATTEMPTS";
    public static final String RETRY_INITIAL_BACKOFF_MS = "OUTBOUND_RETRY_INITIAL_BACKOFF_MS";
    public static final String RETRY_MAX_BACKOFF_MS = "OUTBOUND_RETRY_MAX_BACKOFF_MS";
    public static final String HTTP_TIMEOUT_MS = "OUTBOUND_HTTP_TIMEOUT_MS";
    public static final String DEDUP_WINDOW_MS = "OUTBOUND_DEDUP_WINDOW_MS";
    public static final String COMMIT_INTERVAL_MS = "OUTBOUND_COMMIT_INTERVAL_MS";
    public static final String MAX_IN_FLIGHT = "OUTBOUND_MAX_IN_FLIGHT";

    public static final ConfigDef DEFINITION = TwilioSettings.defineAll(KafkaSettings.define(new ConfigDef()), false)
            .define(VOICE_TWIML_URL, Type.STRING, null, Importance.LOW,
                    "The URL an agent-placed call fetches its TwiML from (ingress's voice webhook); default https://{TWILIO_VOICE_PUBLIC_DOMAIN}{TWILIO_VOICE_TWIML_PATH}.")
            .define(VOICE_CALL_EVENT_URL, Type.STRING, null, Importance.LOW,
                    "Base URL of ingress's call event callbacks for an agent-placed call that asks for call events ({url}/status, /amd, /recording); default https://{TWILIO_VOICE_PUBLIC_DOMAIN}{TWILIO_VOICE_CALL_EVENT_PATH}.")
            .define(GROUP_ID, Type.STRING, "switchboard-outbound", Importance.LOW, "Consumer group of the outbound senders.")
            .define(INSTANCE_ID, Type.STRING, null, Importance.MEDIUM,
                    "Stable id of this sender instance (default: the host name); its Kafka transactional id is switchboard-outbound-{id}, so a restarted instance fences its predecessor.")
            .define(WORKER_THREADS, Type.INT, 32, Range.atLeast(1), Importance.LOW,
                    "Threads making (blocking) Twilio REST calls; one slow conversation holds at most one.")
            .define(RETRY_MAX_ATTEMPTS, Type.INT, 10, Range.atLeast(1), Importance.LOW,
                    "Attempts of one Twilio call before it fails (429, 503, connection failures); the default rides "
                            + "out about half a minute of Twilio trouble before a reply becomes a dead letter.")
            .define(RETRY_INITIAL_BACKOFF_MS, Type.LONG, 200L, Range.atLeast(0), Importance.LOW,
                    "First retry delay; doubles per attempt, with full jitter.")
            .define(RETRY_MAX_BACKOFF_MS, Type.LONG, 30_000L, Range.atLeast(0), Importance.LOW,
                    "Longest retry delay, also the cap on a Retry-After.")
            .define(HTTP_TIMEOUT_MS, Type.LONG, 10_000L, Range.atLeast(1), Importance.LOW, "Timeout of one Twilio HTTP call.")
            .define(DEDUP_WINDOW_MS, Type.LONG, Duration.ofHours(6).toMillis(), Range.atLeast(0), Importance.LOW,
                    "How far back tac.delivery.v1 is read at partition assignment to drop outbound events already sent.")
            .define(COMMIT_INTERVAL_MS, Type.LONG, 100L, Range.atLeast(0), Importance.LOW,
                    "How often delivery events, dead letters and offsets are committed (one Kafka transaction). Voice frames never wait for it.")
            .define(MAX_IN_FLIGHT, Type.INT, 1000, Range.atLeast(2), Importance.LOW,
                    "Outbound records polled and not yet done, at most; near it the sender pauses its partitions until there is room again, so a slow Twilio leaves the backlog in Kafka, not in memory.");

    private final TwilioSettings twilio;

    public OutboundConfig(Map<String, String> env) {
        super(DEFINITION, env);
        this.twilio = TwilioSettings.of(this);
        if (twilio.apiBaseUrl() == null && (twilio.accountSid() == null || twilio.authToken() == null)) {
            throw new InvalidConfigurationException(ACCOUNT_SID + " and " + AUTH_TOKEN
                    + " are required (or " + API_BASE_URL + " for a local fake Twilio API)");
        }
    }

    public static OutboundConfig fromEnv(Map<String, String> env) {
        return load(OutboundConfig::new, env);
    }

    public KafkaSettings kafka() {
        Map<String, String> env = new HashMap<>();
        for (String name : KafkaSettings.DEFINITION.names()) {
            Object value = originals().get(name);
            if (value != null) {
                env.put(name, value.toString());
            }
        }
        return KafkaSettings.fromEnv(env);
    }

    /** The Twilio settings as declared; {@link #accountSid()} and {@link #authToken()} add the fake API's defaults. */
    public TwilioSettings twilio() {
        return twilio;
    }

    /** The account SID; against a fake Twilio API without one, the dev placeholder. */
    public String accountSid() {
        String sid = twilio.accountSid();
        return sid == null && twilio.apiBaseUrl() != null ? TwilioSettings.DEV_ACCOUNT_SID : sid;
    }

    public String authToken() {
        String token = twilio.authToken();
        return token == null && twilio.apiBaseUrl() != null ? "fake-auth-token" : token;
    }

    /** How Twilio is reached (base URL, region, credentials); builds the Orchestrator client. */
    public TwilioAccess twilioAccess() {
        return new TwilioAccess(twilio.apiBaseUrl(), twilio.region(), accountSid(), authToken(), twilio.apiKey(),
                twilio.apiSecret());
    }

    /** Where an agent-placed call gets its TwiML, or null when neither setting is there. */
    public String voiceTwimlUrl() {
        String url = optionalString(VOICE_TWIML_URL);
        String domain = twilio.voicePublicDomain();
        return url != null ? url : domain == null ? null : "https://" + domain + twilio.voiceTwimlPath();
    }

    /** Where an agent-placed call's call events go ({@code /status}, {@code /amd}, {@code /recording} under it), or null. */
    public String voiceCallEventUrl() {
        String url = optionalString(VOICE_CALL_EVENT_URL);
        String domain = twilio.voicePublicDomain();
        String base = url != null ? url : domain == null ? null : "https://" + domain + twilio.voiceCallEventPath();
        return base == null || !base.endsWith("/") ? base : base.substring(0, base.length() - 1);
    }

    /** The agent's own address on a messaging channel, or null when not configured. */
    public String senderAddress(Channel channel) {
        List<String> senders = senderAddresses(channel);
        return senders.isEmpty() ? null : senders.get(0);
    }

    /**
     * Every address the agent may send from on {@code channel}: RCS's allow-list ({@code TWILIO_RCS_SENDER_ID} and
     * {@code TWILIO_RCS_SENDER_IDS}), the one configured address otherwise; empty when none is configured.
     */
    public List<String> senderAddresses(Channel channel) {
        if (channel == Channel.RCS) {
            return twilio.rcsSenderIds();
        }
        ChannelTraits traits = ChannelTraits.of(channel);
        String value = optionalString(traits.ownAddressSetting());
        return value == null ? List.of() : List.of(traits.withPrefix(value));
    }

    public String groupId() {
        return getString(GROUP_ID);
    }

    public String instanceId() {
        String id = optionalString(INSTANCE_ID);
        if (id != null) {
            return id;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "local";
        }
    }

    public int workerThreads() {
        return getInt(WORKER_THREADS);
    }

    public RetryPolicy retryPolicy() {
        return new RetryPolicy(getInt(RETRY_MAX_ATTEMPTS), Duration.ofMillis(getLong(RETRY_INITIAL_BACKOFF_MS)),
                Duration.ofMillis(getLong(RETRY_MAX_BACKOFF_MS)));
    }

    public Duration httpTimeout() {
        return Duration.ofMillis(getLong(HTTP_TIMEOUT_MS));
    }

    public int maxInFlight() {
        return getInt(MAX_IN_FLIGHT);
    }

    public Duration commitInterval() {
        return Duration.ofMillis(getLong(COMMIT_INTERVAL_MS));
    }

    public Duration dedupWindow() {
        return Duration.ofMillis(getLong(DEDUP_WINDOW_MS));
    }
}
