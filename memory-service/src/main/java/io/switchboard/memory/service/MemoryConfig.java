package io.switchboard.memory.service;

import io.switchboard.config.EnvConfig;
import io.switchboard.config.InternalToken;
import io.switchboard.config.InvalidConfigurationException;
import io.switchboard.config.KafkaSettings;
import io.switchboard.twilio.TwilioSettings;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of the memory service: TAC's TWILIO_MEMORY_* names for the retrieval defaults, TAC's Twilio credentials
 * for Twilio Conversation Memory, and Switchboard's own for the provider choice and the local memory.
 */
public final class MemoryConfig extends EnvConfig {
    public static final String PROVIDER = "SWITCHBOARD_MEMORY_PROVIDER";
    public static final String OBSERVATIONS_LIMIT = "TWILIO_MEMORY_OBSERVATIONS_LIMIT";
    public static final String SUMMARIES_LIMIT = "TWILIO_MEMORY_SUMMARIES_LIMIT";
    public static final String COMMUNICATIONS_LIMIT = "TWILIO_MEMORY_COMMUNICATIONS_LIMIT";
    public static final String RELEVANCE_THRESHOLD = "TWILIO_MEMORY_RELEVANCE_THRESHOLD";
    public static final String PROFILE_TRAIT_GROUPS = "TWILIO_MEMORY_PROFILE_TRAIT_GROUPS";
    public static final String PORT = "PORT";
    public static final String APPLICATION_ID = "SWITCHBOARD_MEMORY_APPLICATION_ID";
    public static final String STATE_DIR = "SWITCHBOARD_MEMORY_STATE_DIR";
    public static final String HISTORY_PER_CUSTOMER = "SWITCHBOARD_MEMORY_HISTORY_PER_CUSTOMER";
    public static final String ADVERTISED_URL = "SWITCHBOARD_MEMORY_ADVERTISED_URL";
    public static final String TWILIO_TIMEOUT_MS = "SWITCHBOARD_MEMORY_TWILIO_TIMEOUT_MS";
    public static final String OBSERVATION_OPERATOR_SID = "CONVERSATION_INTELLIGENCE_OBSERVATION_OPERATOR_SID";
    public static final String SUMMARY_OPERATOR_SID = "CONVERSATION_INTELLIGENCE_SUMMARY_OPERATOR_SID";
    /** TAC TypeScript's names of the two operator settings, accepted as aliases. */
    public static final String TAC_OBSERVATION_OPERATOR_SID = "TWILIO_TAC_CI_OBSERVATION_OPERATOR_SID";
    public static final String TAC_SUMMARY_OPERATOR_SID = "TWILIO_TAC_CI_SUMMARY_OPERATOR_SID";

    /** Which memory answers retrievals. */
    public enum Provider { LOCAL, TWILIO }

    public static final ConfigDef DEFINITION = InternalToken.define(twilioSettings(KafkaSettings.define(new ConfigDef())),
                    "Required: the shared secret every caller of the memory API (router, agents, other memory instances) "
                            + "sends as `Authorization: Bearer …`; a request without it or with another gets 401. `dev` generates one.")
            .define(PROVIDER, Type.STRING, null, ConfigDef.LambdaValidator.with((name, value) -> {
                if (value != null && !List.of("local", "twilio").contains(value.toString().toLowerCase(Locale.ROOT))) {
                    throw new ConfigException(name, value, "must be local or twilio");
                }
            }, () -> "local, twilio"), Importance.HIGH,
                    "`local` (history and observations kept in Kafka) or `twilio` (Twilio Conversation Memory). Default: "
                            + "`twilio` when TWILIO_CONVERSATION_CONFIGURATION_ID or TWILIO_MEMORY_STORE_ID is set (then "
                            + "TWILIO_API_KEY and TWILIO_API_SECRET are required, or the start fails naming them), else `local`. "
                            + "The choice and its reason are logged at start.")
            .define(OBSERVATIONS_LIMIT, Type.INT, 20, Range.between(0, 100), Importance.MEDIUM,
                    "Default maximum of observations returned (0-100, 0 disables).")
            .define(SUMMARIES_LIMIT, Type.INT, 5, Range.between(0, 100), Importance.MEDIUM,
                    "Default maximum of summaries returned (0-100, 0 disables).")
            .define(COMMUNICATIONS_LIMIT, Type.INT, 0, Range.between(0, 100), Importance.MEDIUM,
                    "Default maximum of past communications returned (0-100, 0 disables).")
            .define(RELEVANCE_THRESHOLD, Type.DOUBLE, 0.0, Range.between(0.0, 1.0), Importance.MEDIUM,
                    "Default minimum relevance (0.0-1.0) of items returned for a query.")
            .define(PROFILE_TRAIT_GROUPS, Type.LIST, "", Importance.LOW,
                    "Comma-separated trait groups fetched with a profile (GET /memory/profiles/{id}); empty = all.")
            .define(PORT, Type.INT, 8083, Range.between(0, 65535), Importance.LOW,
                    "HTTP port (on 127.0.0.1) of the memory API when MemoryService is embedded in a program of your own (0 = any free port). `switchboard memory` and `dev` serve the API on the operator listener instead (SWITCHBOARD_OPERATOR_PORT).")
            .define(APPLICATION_ID, Type.STRING, "switchboard-memory-v2", new ConfigDef.NonEmptyString(), Importance.LOW,
                    "Kafka Streams application id of the local memory (also the prefix of its internal topics). A new id rebuilds the memory from the topics' retention; -v2 is the one-row-per-item layout.")
            .define(STATE_DIR, Type.STRING, null, Importance.LOW,
                    "Directory of the local memory's state stores (default: <tmp>/switchboard-memory).")
            .define(HISTORY_PER_CUSTOMER, Type.INT, 500, Range.atLeast(1), Importance.LOW,
                    "Local memory: most recent communications (and observations) kept per customer.")
            .define(ADVERTISED_URL, Type.STRING, null, Importance.LOW,
                    "Local memory with several instances: http://host:port at which the other instances reach this one's "
                            + "memory API (Kafka Streams application.server) — its operator listener, which must then be bound beyond loopback (SWITCHBOARD_OPERATOR_HOST); a retrieval is answered from the instance owning the customer, asked with SWITCHBOARD_INTERNAL_TOKEN.")
            .define(TWILIO_TIMEOUT_MS, Type.INT, 5000, Range.atLeast(1), Importance.LOW,
                    "Timeout of each call to Twilio Conversation Memory, in milliseconds.")
            .define(OBSERVATION_OPERATOR_SID, Type.STRING, null, Importance.MEDIUM,
                    "Conversation Intelligence operator (LY...) whose results on tac.ci.v1 become observations of the conversation's customer; with the summary operator unset too, tac.ci.v1 is not read.")
            .define(SUMMARY_OPERATOR_SID, Type.STRING, null, Importance.MEDIUM,
                    "Conversation Intelligence operator (LY...) whose results on tac.ci.v1 become conversation summaries of the customer.")
            .define(TAC_OBSERVATION_OPERATOR_SID, Type.STRING, null, Importance.LOW,
                    "TAC TypeScript's name of CONVERSATION_INTELLIGENCE_OBSERVATION_OPERATOR_SID, read when that is unset.")
            .define(TAC_SUMMARY_OPERATOR_SID, Type.STRING, null, Importance.LOW,
                    "TAC TypeScript's name of CONVERSATION_INTELLIGENCE_SUMMARY_OPERATOR_SID, read when that is unset.");

    /** The Twilio settings of Conversation Memory: API key (no account), endpoint, Orchestrator configuration and store. */
    private static ConfigDef twilioSettings(ConfigDef def) {
        TwilioSettings.defineApiKey(def);
        TwilioSettings.defineEndpoint(def);
        return TwilioSettings.defineOrchestrator(def);
    }

    private final InternalToken internalToken;
    private final TwilioSettings twilio;

    public MemoryConfig(Map<String, String> env) {
        super(DEFINITION, env);
        this.twilio = TwilioSettings.of(this);
        this.internalToken = InternalToken.required(secret(InternalToken.NAME), "the memory API refuses callers without it");
        if (provider() == Provider.TWILIO) {
            // an incomplete Twilio setup stops the start: a silent local memory would hide every customer's history
            requireForTwilio(TwilioSettings.API_KEY, twilio.apiKey());
            requireForTwilio(TwilioSettings.API_SECRET, twilio.apiSecret());
            if (twilio.memoryStoreId() == null && twilio.conversationConfigurationId() == null) {
                throw new InvalidConfigurationException(TwilioSettings.MEMORY_STORE_ID + " or "
                        + TwilioSettings.CONVERSATION_CONFIGURATION_ID + " is required when " + PROVIDER + "=twilio");
            }
        }
    }

    private void requireForTwilio(String name, String value) {
        if (value == null) {
            throw new InvalidConfigurationException(name + " is required for Twilio Conversation Memory ("
                    + providerReason() + ")");
        }
    }

    public static MemoryConfig fromEnv(Map<String, String> env) {
        return load(MemoryConfig::new, env);
    }

    /** What every caller of the memory API must present, and what this instance presents to the others. */
    public InternalToken internalToken() {
        return internalToken;
    }

    public KafkaSettings kafka() {
        return new KafkaSettings(originalsStrings());
    }

    public Provider provider() {
        String p = optionalString(PROVIDER);
        if (p != null) {
            return Provider.valueOf(p.toUpperCase(Locale.ROOT));
        }
        return twilio.conversationConfigurationId() != null || twilio.memoryStoreId() != null
                ? Provider.TWILIO : Provider.LOCAL;
    }

    /** Why {@link #provider()} is what it is, for the start-up log line and error messages. */
    public String providerReason() {
        if (optionalString(PROVIDER) != null) {
            return PROVIDER + "=" + optionalString(PROVIDER).toLowerCase(Locale.ROOT);
        }
        if (twilio.conversationConfigurationId() != null) {
            return TwilioSettings.CONVERSATION_CONFIGURATION_ID + " is set";
        }
        if (twilio.memoryStoreId() != null) {
            return TwilioSettings.MEMORY_STORE_ID + " is set";
        }
        return "neither " + TwilioSettings.CONVERSATION_CONFIGURATION_ID + " nor " + TwilioSettings.MEMORY_STORE_ID + " is set";
    }

    /** The API key, endpoint, Orchestrator configuration and Memory store of the twilio provider. */
    public TwilioSettings twilio() {
        return twilio;
    }

    public int observationsLimit() {
        return getInt(OBSERVATIONS_LIMIT);
    }

    public int summariesLimit() {
        return getInt(SUMMARIES_LIMIT);
    }

    public int communicationsLimit() {
        return getInt(COMMUNICATIONS_LIMIT);
    }

    public double relevanceThreshold() {
        return getDouble(RELEVANCE_THRESHOLD);
    }

    public List<String> profileTraitGroups() {
        return getList(PROFILE_TRAIT_GROUPS).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    public int port() {
        return getInt(PORT);
    }

    public String applicationId() {
        return getString(APPLICATION_ID);
    }

    public Path stateDir() {
        String dir = optionalString(STATE_DIR);
        return dir != null ? Path.of(dir) : Path.of(System.getProperty("java.io.tmpdir"), "switchboard-memory");
    }

    public int historyPerCustomer() {
        return getInt(HISTORY_PER_CUSTOMER);
    }

    /** Where other instances reach this one, or null when it runs alone. */
    public URI advertisedUrl() {
        String url = optionalString(ADVERTISED_URL);
        if (url == null) {
            return null;
        }
        URI uri = URI.create(url);
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw new InvalidConfigurationException(ADVERTISED_URL + " must be http://host:port, was " + url);
        }
        return uri;
    }

    public String observationOperatorSid() {
        return optionalString(OBSERVATION_OPERATOR_SID, TAC_OBSERVATION_OPERATOR_SID);
    }

    public String summaryOperatorSid() {
        return optionalString(SUMMARY_OPERATOR_SID, TAC_SUMMARY_OPERATOR_SID);
    }

    /** Conversation Intelligence results are written to memory when an observation or summary operator is named. */
    public boolean intelligenceEnabled() {
        return observationOperatorSid() != null || summaryOperatorSid() != null;
    }

    public int twilioTimeoutMs() {
        return getInt(TWILIO_TIMEOUT_MS);
    }
}
