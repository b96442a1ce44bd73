package io.switchboard.outbound;

import io.switchboard.channel.ChannelTraits;
import io.switchboard.config.EnvConfig;
import io.switchboard.config.InvalidConfigurationException;
import io.switchboard.config.KafkaSettings;
import io.switchboard.events.Channel;
import io.switchboard.twilio.RetryPolicy;
import io.switchboard.twilio.TwilioAccess;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Settings of the outbound sender, keyed by environment variable (TAC's names where TAC has one). */
public final class OutboundConfig extends EnvConfig {
    public static final String ACCOUNT_SID = "TWILIO_ACCOUNT_SID";
    public static final String AUTH_TOKEN = "TWILIO_AUTH_TOKEN";
    public static final String API_KEY = "TWILIO_API_KEY";
    public static final String API_SECRET = "TWILIO_API_SECRET";
    public static final String REGION = "TWILIO_REGION";
    public static final String API_BASE_URL = "TWILIO_API_BASE_URL";
    public static final String PHONE_NUMBER = "TWILIO_PHONE_NUMBER";
    public static final String WHATSAPP_NUMBER = "TWILIO_WHATSAPP_NUMBER";
    public static final String RCS_SENDER_ID = "TWILIO_RCS_SENDER_ID";
    public static final String AGENT_IDENTITY = "SWITCHBOARD_AGENT_IDENTITY";
    public static final String STUDIO_HANDOFF_FLOW_SID = "TWILIO_STUDIO_HANDOFF_FLOW_SID";
    public static final String CONVERSATION_CONFIGURATION_ID = "TWILIO_CONVERSATION_CONFIGURATION_ID";
    public static final String MEMORY_STORE_ID = "TWILIO_MEMORY_STORE_ID";
    public static final String VOICE_PUBLIC_DOMAIN = "TWILIO_VOICE_PUBLIC_DOMAIN";
    public static final String VOICE_TWIML_URL = "SWITCHBOARD_VOICE_TWIML_URL";
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

    public static final ConfigDef DEFINITION = KafkaSettings.define(new ConfigDef())
            .define(ACCOUNT_SID, Type.STRING, null, Importance.HIGH,
                    "Twilio account SID (AC…); Basic auth user of the Conversations v1 and 2010 APIs.")
            .define(AUTH_TOKEN, Type.PASSWORD, null, Importance.HIGH, "Twilio auth token.")
            .define(API_KEY, Type.STRING, null, Importance.HIGH,
                    "Twilio API key SID (SK…): Basic auth user of the Conversation Orchestrator v2 API, as TAC does; the account SID is used without it.")
            .define(API_SECRET, Type.PASSWORD, null, Importance.HIGH, "Secret of TWILIO_API_KEY.")
            .define(REGION, Type.STRING, null, Importance.LOW,
                    "Twilio region (e.g. ie1, au1): hosts become conversations.{region}.twilio.com.")
            .define(API_BASE_URL, Type.STRING, null, Importance.LOW,
                    "Unset in production. Sends every Twilio REST call to this base URL instead (a fake Twilio API in tests, the simulator in dev).")
            .define(PHONE_NUMBER, Type.STRING, null, Importance.MEDIUM, "The agent's SMS sender, +E.164.")
            .define(WHATSAPP_NUMBER, Type.STRING, null, Importance.MEDIUM, "The agent's WhatsApp sender, whatsapp:+E.164.")
            .define(RCS_SENDER_ID, Type.STRING, null, Importance.MEDIUM, "The agent's RCS sender id.")
            .define(STUDIO_HANDOFF_FLOW_SID, Type.STRING, null, Importance.MEDIUM,
                    "Studio flow (FW...) a messaging handoff starts an execution of, with the HandoffData parameter, as TAC's handoff tool does; once Studio accepted it the conversation is set INACTIVE and its status callbacks cleared. Unset: a messaging handoff is refused (FAILED delivery, no Twilio call) and the agent keeps the conversation.")
            .define(CONVERSATION_CONFIGURATION_ID, Type.STRING, null, Importance.MEDIUM,
                    "Conversation Orchestrator configuration id sent as configurationId when an agent starts a conversation.")
            .define(MEMORY_STORE_ID, Type.STRING, null, Importance.MEDIUM,
                    "Memory store id (mem_store_…) put in a handoff's HandoffData as storeId; unset: read from the Orchestrator configuration (memoryStoreId) at start, as TAC does, and a failed read stops the start; relay-only without it: \"\".")
            .define(VOICE_PUBLIC_DOMAIN, Type.STRING, null, Importance.MEDIUM,
                    "Public host of ingress: an agent-placed call is answered with https://{domain}/twiml (ConversationRelay).")
            .define(VOICE_TWIML_URL, Type.STRING, null, Importance.LOW,
                    "The URL an agent-placed call fetches its TwiML from (ingress's /twiml); default https://{TWILIO_VOICE_PUBLIC_DOMAIN}/twiml.")
            .define(AGENT_IDENTITY, Type.STRING, "ai-assistant", Importance.LOW,
                    "The agent's identity on Chat: the Author of its Conversations v1 messages, which ingress ignores as the agent's own.")
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
                    "Outbound records polled and not yet done, at most; above it the sender pauses its partitions until half are done, so a slow Twilio leaves the backlog in Kafka, not in memory.");

    public OutboundConfig(Map<String, String> env) {
        super(DEFINITION, env);
        if (apiBaseUrl() == null && (accountSid() == null || authToken() == null)) {
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

    public String accountSid() {
        String sid = optionalString(ACCOUNT_SID);
        return sid == null && apiBaseUrl() != null ? "AC00000000000000000000000000000000" : sid;
    }

    public String authToken() {
        String token = secret(AUTH_TOKEN);
        return token == null && apiBaseUrl() != null ? "fake-auth-token" : token;
    }

    /** How Twilio is reached (base URL, region, credentials); builds the Orchestrator client. */
    public TwilioAccess twilioAccess() {
        return new TwilioAccess(apiBaseUrl(), region(), accountSid(), authToken(), optionalString(API_KEY),
                secret(API_SECRET));
    }

    /** The Orchestrator's Basic auth user: the API key, or the account SID without one. */
    public String v2User() {
        return twilioAccess().v2User();
    }

    public String v2Password() {
        return twilioAccess().v2Password();
    }

    /** {@code TWILIO_MEMORY_STORE_ID}, or null. */
    public String memoryStoreIdOverride() {
        return optionalString(MEMORY_STORE_ID);
    }

    public String region() {
        return optionalString(REGION);
    }

    public String conversationConfigurationId() {
        return optionalString(CONVERSATION_CONFIGURATION_ID);
    }

    /** Where an agent-placed call gets its TwiML, or null when neither setting is there. */
    public String voiceTwimlUrl() {
        String url = optionalString(VOICE_TWIML_URL);
        String domain = optionalString(VOICE_PUBLIC_DOMAIN);
        return url != null ? url : domain == null ? null : "https://" + domain + "/twiml";
    }

    public String studioHandoffFlowSid() {
        return optionalString(STUDIO_HANDOFF_FLOW_SID);
    }

    public String apiBaseUrl() {
        return optionalString(API_BASE_URL);
    }

    /** The agent's own address on a messaging channel, or null when not configured. */
    public String senderAddress(Channel channel) {
        ChannelTraits traits = ChannelTraits.of(channel);
        String value = optionalString(traits.ownAddressSetting());
        return value == null ? null : traits.withPrefix(value);
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
