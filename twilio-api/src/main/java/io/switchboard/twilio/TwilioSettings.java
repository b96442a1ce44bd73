package io.switchboard.twilio;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.types.Password;

/**
 * The Twilio settings (TAC's variable names) that ingress, outbound and memory share, declared once. A service's
 * config composes the {@code define…} fragments it needs, as it composes {@code KafkaSettings.define}, and reads them
 * back with {@link #of(AbstractConfig)}; a setting whose fragment the service did not declare reads as null.
 */
public final class TwilioSettings {
    // the account: the Conversations v1 and 2010 APIs, webhook signatures
    public static final String ACCOUNT_SID = "TWILIO_ACCOUNT_SID";
    public static final String AUTH_TOKEN = "TWILIO_AUTH_TOKEN";
    // the API key: Conversation Orchestrator (v2) and Conversation Memory, as TAC
    public static final String API_KEY = "TWILIO_API_KEY";
    public static final String API_SECRET = "TWILIO_API_SECRET";
    // where calls go
    public static final String REGION = "TWILIO_REGION";
    public static final String API_BASE_URL = "TWILIO_API_BASE_URL";
    // Switchboard's own addresses (ChannelTraits names the one of each channel)
    public static final String PHONE_NUMBER = "TWILIO_PHONE_NUMBER";
    public static final String WHATSAPP_NUMBER = "TWILIO_WHATSAPP_NUMBER";
    public static final String RCS_SENDER_ID = "TWILIO_RCS_SENDER_ID";
    public static final String RCS_SENDER_IDS = "TWILIO_RCS_SENDER_IDS";
    public static final String AGENT_IDENTITY = "SWITCHBOARD_AGENT_IDENTITY";
    // Conversation Orchestrator and Memory
    public static final String CONVERSATION_CONFIGURATION_ID = "TWILIO_CONVERSATION_CONFIGURATION_ID";
    public static final String MEMORY_STORE_ID = "TWILIO_MEMORY_STORE_ID";
    public static final String STUDIO_HANDOFF_FLOW_SID = "TWILIO_STUDIO_HANDOFF_FLOW_SID";
    public static final String VOICE_PUBLIC_DOMAIN = "TWILIO_VOICE_PUBLIC_DOMAIN";
    public static final String VOICE_TWIML_PATH = "TWILIO_VOICE_TWIML_PATH";
    public static final String VOICE_CALL_EVENT_PATH = "TWILIO_VOICE_CALL_EVENT_PATH";

    /** The dev identity (launcher's {@code dev}, the testkit, outbound against a fake API): never a real account. */
    public static final String DEV_ACCOUNT_SID = "AC00000000000000000000000000000000";

    /** The account SID and auth token; {@code required}: a start without them fails naming them. */
    public static ConfigDef defineAccount(ConfigDef def, boolean required) {
        return def
                .define(ACCOUNT_SID, Type.STRING, required ? ConfigDef.NO_DEFAULT_VALUE : null,
                        required ? new ConfigDef.NonEmptyString() : null, Importance.HIGH,
                        "Twilio account SID (AC…): Basic auth user of the Conversations v1 and 2010 APIs, and of the Orchestrator and Memory calls without TWILIO_API_KEY; ingress accepts the relay action callback only from this account.")
                .define(AUTH_TOKEN, Type.PASSWORD, required ? ConfigDef.NO_DEFAULT_VALUE : null, Importance.HIGH,
                        "Twilio auth token, the secret of TWILIO_ACCOUNT_SID: every webhook and relay upgrade ingress accepts must carry a valid X-Twilio-Signature made with it.");
    }

    /** The API key and secret the Orchestrator (v2) and Memory are called with. */
    public static ConfigDef defineApiKey(ConfigDef def) {
        return def
                .define(API_KEY, Type.STRING, null, Importance.HIGH,
                        "Twilio API key SID (SK…): Basic auth user of the Conversation Orchestrator (v2) and Conversation Memory calls, as TAC; unset: TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN (the memory service's Twilio Conversation Memory requires it).")
                .define(API_SECRET, Type.PASSWORD, null, Importance.HIGH, "Secret of TWILIO_API_KEY.");
    }

    /** Where Twilio REST calls go: the region, or a base URL standing in for all of Twilio's hosts. */
    public static ConfigDef defineEndpoint(ConfigDef def) {
        return def
                .define(REGION, Type.STRING, null, Importance.LOW,
                        "Twilio region (e.g. ie1, au1): Twilio REST calls go to its hosts, conversations.{region}.twilio.com and memory.{region}.twilio.com (and an agent's knowledge search to knowledge.{region}.twilio.com).")
                .define(API_BASE_URL, Type.STRING, null, Importance.LOW,
                        "Unset in production. Sends every Twilio REST call to this base URL instead of Twilio's hosts (a fake Twilio API in tests, dev's local stand-in).");
    }

    /** Switchboard's own address on each channel: what the agent sends from, and what ingress ignores as its own. */
    public static ConfigDef defineSenders(ConfigDef def) {
        return def
                .define(PHONE_NUMBER, Type.STRING, null, Importance.MEDIUM,
                        "Switchboard's own phone number, +E.164: the agent's SMS sender and the caller of the calls it places; ingress ignores messages from it.")
                .define(WHATSAPP_NUMBER, Type.STRING, null, Importance.MEDIUM,
                        "Switchboard's own WhatsApp address, `whatsapp:+E.164`: the agent's WhatsApp sender; ingress ignores messages from it.")
                .define(RCS_SENDER_ID, Type.STRING, null, Importance.MEDIUM,
                        "Switchboard's own RCS sender id: the agent's RCS sender; ingress ignores messages from it (and from each of several, comma-separated).")
                .define(RCS_SENDER_IDS, Type.STRING, null, Importance.MEDIUM,
                        "Several RCS sender ids, comma-separated (newer TAC): the allow-list an agent-started RCS conversation picks its `from` from (the first when it names none; TWILIO_RCS_SENDER_ID's ids are allowed too); ingress ignores messages from each.")
                .define(AGENT_IDENTITY, Type.STRING, "ai-assistant", Importance.LOW,
                        "The agent's chat identity (TAC's default `ai-assistant`): the Author of its Conversations v1 messages; ingress ignores messages from it.");
    }

    /** The Conversation Orchestrator configuration and the Memory store that overrides its {@code memoryStoreId}. */
    public static ConfigDef defineOrchestrator(ConfigDef def) {
        return def
                .define(CONVERSATION_CONFIGURATION_ID, Type.STRING, null, Importance.MEDIUM,
                        "Conversation Orchestrator configuration id (conv_configuration_…), as TAC. Set: ingress runs voice orchestrated (a call's conversation is looked up at `setup`, `GET /v2/Conversations?channelId={CallSid}&status=ACTIVE`, and its events are keyed by that id; a `conversationId` custom parameter overrides the lookup); a conversation an agent starts is created with it (configurationId); the Memory store is its `memoryStoreId`, read at start (`GET /v2/ControlPlane/Configurations/{id}`; a failed read stops the start) unless TWILIO_MEMORY_STORE_ID is set; the memory service answers a retrieval whose Lookup or Recall fails with the conversation's Communications.")
                .define(MEMORY_STORE_ID, Type.STRING, null, Importance.MEDIUM,
                        "Conversation Memory store id (mem_store_…), overriding the `memoryStoreId` of the Orchestrator configuration: the store of the memory service's twilio provider (which needs it or a configuration with a store to start), of the profiles ingress creates for customers promoted from UNKNOWN, and the storeId of a handoff's HandoffData (relay-only without it: \"\").");
    }

    /** The Studio flow a handoff goes to, voice (ingress's TwiML) and messaging (outbound). */
    public static ConfigDef defineHandoff(ConfigDef def) {
        return def.define(STUDIO_HANDOFF_FLOW_SID, Type.STRING, null, Importance.MEDIUM,
                "Studio flow (FW...) a handoff goes to, as TAC. Voice: the TwiML's <Connect action> is the flow's webhook (https://webhooks.twilio.com/v1/Accounts/{AC}/Flows/{FW}?Trigger=incomingCall), so Studio receives HandoffData; unset: the action is the relay callback. Messaging: an execution of the flow is started with the HandoffData parameter, as TAC's handoff tool does; once Studio accepted it the conversation is set INACTIVE and its status callbacks cleared; unset: a messaging handoff is refused (FAILED delivery, no Twilio call) and the agent keeps the conversation.");
    }

    /**
     * Every Twilio setting, as the services that talk to Twilio for a conversation (ingress, outbound) read them;
     * {@code accountRequired}: ingress needs the account to check signatures, outbound not with a local API.
     */
    public static ConfigDef defineAll(ConfigDef def, boolean accountRequired) {
        defineAccount(def, accountRequired);
        defineApiKey(def);
        defineEndpoint(def);
        defineSenders(def);
        defineOrchestrator(def);
        defineHandoff(def);
        return defineVoicePublicDomain(def);
    }

    /** The public host of ingress, which Twilio reaches for TwiML and the relay socket, and the TwiML path. */
    public static ConfigDef defineVoicePublicDomain(ConfigDef def) {
        return def.define(VOICE_PUBLIC_DOMAIN, Type.STRING, null, Importance.HIGH,
                        "Public host name Twilio reaches ingress at (e.g. abc.ngrok.app): used in ingress's TwiML URLs and to rebuild signed URLs (unset: the request's Host), and an agent-placed call is answered with https://{domain}{TWILIO_VOICE_TWIML_PATH} (ConversationRelay).")
                .define(VOICE_TWIML_PATH, Type.STRING, "/twiml", Importance.LOW,
                        "Path of ingress's voice webhook, where Twilio asks for a call's TwiML (TAC's default `/twiml`); signatures are checked on the URL with this path, and an agent-placed call is answered there.")
                .define(VOICE_CALL_EVENT_PATH, Type.STRING, "/twilio/call-events", Importance.LOW,
                        "Base path of ingress's call event callbacks (TAC's default): {path}/status, {path}/amd, {path}/recording; an agent-placed call asking for call events gets these URLs on https://{TWILIO_VOICE_PUBLIC_DOMAIN}.");
    }

    private final Map<String, ?> values;

    private TwilioSettings(Map<String, ?> values) {
        this.values = values;
    }

    /** The Twilio settings of {@code config}, as parsed and validated by its definition. */
    public static TwilioSettings of(AbstractConfig config) {
        return new TwilioSettings(config.values());
    }

    public String accountSid() {
        return text(ACCOUNT_SID);
    }

    public String authToken() {
        return text(AUTH_TOKEN);
    }

    public String apiKey() {
        return text(API_KEY);
    }

    public String apiSecret() {
        return text(API_SECRET);
    }

    public String region() {
        return text(REGION);
    }

    /** {@code TWILIO_API_BASE_URL}, or null for Twilio's own hosts. */
    public String apiBaseUrl() {
        return text(API_BASE_URL);
    }

    public String conversationConfigurationId() {
        return text(CONVERSATION_CONFIGURATION_ID);
    }

    /** The Memory store override; null: the Orchestrator configuration's {@code memoryStoreId}. */
    public String memoryStoreId() {
        return text(MEMORY_STORE_ID);
    }

    /**
     * The RCS senders Switchboard may send from, {@code rcs:}-prefixed, in order: TWILIO_RCS_SENDER_ID's (comma-separated)
     * then TWILIO_RCS_SENDER_IDS', without repeats.
     */
    public List<String> rcsSenderIds() {
        Set<String> ids = new LinkedHashSet<>();
        for (String setting : List.of(RCS_SENDER_ID, RCS_SENDER_IDS)) {
            String value = text(setting);
            if (value != null) {
                for (String id : value.split(",")) {
                    if (!id.isBlank()) {
                        ids.add(id.trim().startsWith("rcs:") ? id.trim() : "rcs:" + id.trim());
                    }
                }
            }
        }
        return List.copyOf(ids);
    }

    public String studioHandoffFlowSid() {
        return text(STUDIO_HANDOFF_FLOW_SID);
    }

    public String voicePublicDomain() {
        return text(VOICE_PUBLIC_DOMAIN);
    }

    /** Path of ingress's voice webhook; {@code /twiml} when the service did not declare it. */
    public String voiceTwimlPath() {
        String path = text(VOICE_TWIML_PATH);
        return path == null ? "/twiml" : path;
    }

    /** Base path of ingress's call event callbacks; {@code /twilio/call-events} when the service did not declare it. */
    public String voiceCallEventPath() {
        String path = text(VOICE_CALL_EVENT_PATH);
        return path == null ? "/twilio/call-events" : path;
    }

    /** How Twilio is reached with these settings: base URL, region, account and API key. */
    public TwilioAccess access() {
        return new TwilioAccess(apiBaseUrl(), region(), accountSid(), authToken(), apiKey(), apiSecret());
    }

    public TwilioEndpoints endpoints() {
        return new TwilioEndpoints(apiBaseUrl(), region());
    }

    /** A declared, non-blank value (a password's text), or null; undeclared settings read as null. */
    private String text(String name) {
        Object value = values.get(name);
        if (value instanceof Password password) {
            value = password.value();
        }
        return value == null || value.toString().isBlank() ? null : value.toString();
    }
}
