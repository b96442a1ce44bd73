package io.switchboard.agent;

import io.switchboard.config.EnvConfig;
import io.switchboard.config.InternalToken;
import io.switchboard.config.KafkaSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** An agent worker's settings, from the environment; every one has a default. */
public final class AgentConfig extends EnvConfig {
    public static final String GROUP_ID = "SWITCHBOARD_AGENT_GROUP_ID";
    public static final String CONCURRENCY = "SWITCHBOARD_AGENT_CONCURRENCY";
    public static final String MAX_IN_FLIGHT = "SWITCHBOARD_AGENT_MAX_IN_FLIGHT";
    public static final String RETRIES = "SWITCHBOARD_AGENT_RETRIES";
    public static final String VIRTUAL_THREADS = "SWITCHBOARD_AGENT_VIRTUAL_THREADS";
    public static final String HANDLER_TIMEOUT_MS = "SWITCHBOARD_AGENT_HANDLER_TIMEOUT_MS";
    public static final String SHUTDOWN_TIMEOUT_MS = "SWITCHBOARD_AGENT_SHUTDOWN_TIMEOUT_MS";
    public static final String INPUT_TOPIC = "SWITCHBOARD_AGENT_INPUT_TOPIC";
    public static final String OUTPUT_TOPIC = "SWITCHBOARD_AGENT_OUTPUT_TOPIC";
    public static final String MEMORY_URL = "SWITCHBOARD_MEMORY_URL";
    public static final String MEMORY_TIMEOUT_MS = "SWITCHBOARD_AGENT_MEMORY_TIMEOUT_MS";
    public static final String ISOLATION_LEVEL = "SWITCHBOARD_AGENT_ISOLATION_LEVEL";
    public static final String TYPING_INDICATOR = "SWITCHBOARD_AGENT_TYPING_INDICATOR";
    public static final String TYPING_INDICATOR_DELAY_MS = "SWITCHBOARD_AGENT_TYPING_INDICATOR_DELAY_MS";
    public static final String STUDIO_HANDOFF_FLOW_SID = "TWILIO_STUDIO_HANDOFF_FLOW_SID";
    public static final String SESSION_LOOKBACK_MS = "SWITCHBOARD_AGENT_SESSION_LOOKBACK_MS";
    /** Used when KAFKA_BOOTSTRAP_SERVERS is not set. */
    public static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";

    public static final ConfigDef DEFINITION = InternalToken.define(KafkaSettings.define(new ConfigDef()),
                    "The shared secret the memory service checks (`Authorization: Bearer …`); required with SWITCHBOARD_MEMORY_URL.")
            .define(GROUP_ID, Type.STRING, "switchboard-agent", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Kafka consumer group of the agent: copies with one group id share the conversations; agents with different ids each see all traffic.")
            .define(CONCURRENCY, Type.INT, 1000, Range.atLeast(1), Importance.MEDIUM,
                    "Worker threads running handlers: how many conversations one worker handles at once with blocking handlers (async ones hold no thread). Threads start on demand and end after a minute idle.")
            .define(VIRTUAL_THREADS, Type.BOOLEAN, true, Importance.LOW,
                    "Run blocking handlers on virtual threads when the JVM has them (Java 21+; Java 17 always uses platform threads). SWITCHBOARD_AGENT_CONCURRENCY still bounds how many run at once.")
            .define(MAX_IN_FLIGHT, Type.INT, 2000, Range.atLeast(4), Importance.LOW,
                    "Agent events polled and not yet handled (running, or waiting behind their conversation), at most; near it the worker pauses its partitions. Above SWITCHBOARD_AGENT_CONCURRENCY so that every handler slot can be busy while later events of busy conversations wait.")
            .define(RETRIES, Type.INT, 2, Range.atLeast(0), Importance.MEDIUM,
                    "How often a failed handler is retried before the event goes to tac.dlq.v1 (the conversation goes on).")
            .define(HANDLER_TIMEOUT_MS, Type.LONG, 120_000L, Range.atLeast(1), Importance.LOW,
                    "A handler (with its streams) that takes longer fails with a timeout and is retried.")
            .define(SHUTDOWN_TIMEOUT_MS, Type.LONG, 30_000L, Range.atLeast(0), Importance.LOW,
                    "On shutdown, how long running handlers may finish before their events are handed back to the group.")
            .define(INPUT_TOPIC, Type.STRING, "tac.agent.v1", new ConfigDef.NonEmptyString(), Importance.LOW,
                    "Topic the agent consumes; a shadow run (`switchboard replay --shadow`) points a new agent version at tac.agent.shadow.v1.")
            .define(OUTPUT_TOPIC, Type.STRING, "tac.outbound.v1", new ConfigDef.NonEmptyString(), Importance.LOW,
                    "Topic the agent's replies go to; tac.outbound.shadow.v1 for a shadow run, which no service sends to customers.")
            .define(ISOLATION_LEVEL, Type.STRING, "read_uncommitted",
                    ConfigDef.ValidString.in("read_uncommitted", "read_committed"), Importance.LOW,
                    "How the agent reads tac.agent.v1. read_uncommitted (default): a routed event as soon as the router writes it, not at its next transaction commit (tens of ms sooner); after a router crash an event may come twice, with the same id, and the second copy is dropped. read_committed: only committed events, each once, a commit interval later.")
            .define(MEMORY_URL, Type.STRING, null, Importance.MEDIUM,
                    "Base URL of the memory API — the memory service's operator listener (e.g. http://memory:9464); needed only for SwitchboardAgent.retrieveMemory, and then SWITCHBOARD_INTERNAL_TOKEN too.")
            .define(MEMORY_TIMEOUT_MS, Type.LONG, 5_000L, Range.atLeast(1), Importance.LOW,
                    "How long retrieveMemory waits for the memory service before its future fails; like the router's SWITCHBOARD_MEMORY_TIMEOUT_MS, sized for Twilio Memory's Lookup + Recall (about 0.9 s at Twilio-like latency).")
            .define(TYPING_INDICATOR, Type.BOOLEAN, false, Importance.LOW,
                    "Show the customer a typing indicator while a reply is slow, as TAC does: only WhatsApp has one (Twilio Messaging v2 Indicators/Typing). Needs an outbound-sender that knows the v2 Typing event.")
            .define(SESSION_LOOKBACK_MS, Type.LONG, 30 * 60_000L, Range.atLeast(1), Importance.LOW,
                    "sendResponse(conversationId, …) outside a handler, for a conversation this worker has not handled: how far back its partition of tac.agent.v1 is read for its session (the router's inactivity timeout, SWITCHBOARD_INACTIVITY_TIMEOUT_MS, ends older ones).")
            .define(TYPING_INDICATOR_DELAY_MS, Type.LONG, 1_000L, Range.atLeast(0), Importance.LOW,
                    "With SWITCHBOARD_AGENT_TYPING_INDICATOR: how long a message handler may go without sending anything before the indicator is requested (0: at once).")
            .define(STUDIO_HANDOFF_FLOW_SID, Type.STRING, null, Importance.MEDIUM,
                    "The Studio flow (FW...) outbound-sender starts for a messaging handoff (set it to the same value there). Unset: Reply.handoff on a messaging channel is refused with HandoffRefusedException, as TAC's handoff tool refuses without a flow; voice handoffs do not need it.");

    private final InternalToken internalToken;

    public AgentConfig(Map<String, String> env) {
        super(DEFINITION, withDefaultBootstrap(env));
        this.internalToken = memoryUrl() != null
                ? InternalToken.required(secret(InternalToken.NAME), "the memory service at " + MEMORY_URL
                        + " refuses calls without it")
                : InternalToken.optional(secret(InternalToken.NAME)).orElse(null);
    }

    /** The agent's settings; KAFKA_BOOTSTRAP_SERVERS defaults to localhost:9092. */
    public static AgentConfig fromEnv(Map<String, String> env) {
        return load(AgentConfig::new, env);
    }

    private static Map<String, String> withDefaultBootstrap(Map<String, String> env) {
        Map<String, String> copy = new HashMap<>(env);
        String bootstrap = copy.get(KafkaSettings.BOOTSTRAP_SERVERS);
        if (bootstrap == null || bootstrap.isBlank()) {
            copy.put(KafkaSettings.BOOTSTRAP_SERVERS, DEFAULT_BOOTSTRAP_SERVERS);
        }
        return copy;
    }

    public String isolationLevel() {
        return getString(ISOLATION_LEVEL);
    }

    /** The shared Kafka settings (bootstrap servers, framing) of this config. */
    public KafkaSettings kafka() {
        Map<String, String> env = new HashMap<>();
        originalsStrings().forEach(env::put);
        return KafkaSettings.fromEnv(env);
    }

    public String inputTopic() {
        return getString(INPUT_TOPIC);
    }

    public String outputTopic() {
        return getString(OUTPUT_TOPIC);
    }

    /** The memory service's base URL, or null when not configured. */
    public String memoryUrl() {
        return optionalString(MEMORY_URL);
    }

    /** What retrieveMemory presents to the memory service; null without SWITCHBOARD_MEMORY_URL (and no token set). */
    public InternalToken internalToken() {
        return internalToken;
    }

    public Duration memoryTimeout() {
        return Duration.ofMillis(getLong(MEMORY_TIMEOUT_MS));
    }

    /** The Studio handoff flow, or null: then messaging handoffs are refused. */
    public String studioHandoffFlowSid() {
        return optionalString(STUDIO_HANDOFF_FLOW_SID);
    }

    /** Whether slow replies on channels that have one get a typing indicator. */
    public boolean typingIndicator() {
        return getBoolean(TYPING_INDICATOR);
    }

    public Duration sessionLookback() {
        return Duration.ofMillis(getLong(SESSION_LOOKBACK_MS));
    }

    public Duration typingIndicatorDelay() {
        return Duration.ofMillis(getLong(TYPING_INDICATOR_DELAY_MS));
    }

    public String groupId() {
        return getString(GROUP_ID);
    }

    public int concurrency() {
        return getInt(CONCURRENCY);
    }

    public boolean virtualThreads() {
        return getBoolean(VIRTUAL_THREADS);
    }

    public int maxInFlight() {
        return getInt(MAX_IN_FLIGHT);
    }

    public int retries() {
        return getInt(RETRIES);
    }

    public Duration handlerTimeout() {
        return Duration.ofMillis(getLong(HANDLER_TIMEOUT_MS));
    }

    public Duration shutdownTimeout() {
        return Duration.ofMillis(getLong(SHUTDOWN_TIMEOUT_MS));
    }
}
