package io.switchboard.examples.llm;

import io.switchboard.agent.AgentConfig;
import io.switchboard.agent.KnowledgeSearch;
import io.switchboard.config.EnvConfig;
import io.switchboard.config.KafkaSettings;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The LLM agent's settings (the agent worker's own are {@link AgentConfig}'s). The names follow the OpenAI SDKs'
 * ({@code OPENAI_BASE_URL}, {@code OPENAI_API_KEY}, as TAC's OpenAI examples use), so any OpenAI-compatible server
 * works: OpenAI, Azure OpenAI, Ollama, vLLM, LM Studio, a gateway.
 */
public final class LlmConfig extends EnvConfig {
    public static final String BASE_URL = "OPENAI_BASE_URL";
    public static final String API_KEY = "OPENAI_API_KEY";
    public static final String MODEL = "OPENAI_MODEL";
    public static final String SYSTEM_PROMPT = "LLM_SYSTEM_PROMPT";
    public static final String HISTORY_TURNS = "LLM_HISTORY_TURNS";
    public static final String REQUEST_TIMEOUT_MS = "LLM_REQUEST_TIMEOUT_MS";
    public static final String MAX_TOOL_ROUNDS = "LLM_MAX_TOOL_ROUNDS";

    static final String DEFAULT_SYSTEM_PROMPT = "You are a helpful, friendly assistant answering customers of a business. "
            + "Keep answers short and to the point.";

    public static final ConfigDef DEFINITION = KafkaSettings.define(new ConfigDef())
            .define(BASE_URL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Base URL of an OpenAI-compatible API, up to the version (https://api.openai.com/v1, http://localhost:11434/v1 for Ollama); the agent posts to {base}/chat/completions. Setting it makes `dev` and `agent` run the LLM agent instead of the echo agent.")
            .define(API_KEY, Type.PASSWORD, null, Importance.HIGH,
                    "Bearer token for the API; leave unset for local servers that need none.")
            .define(MODEL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Model name sent with every request (gpt-4o-mini, llama3.2, ...).")
            .define(SYSTEM_PROMPT, Type.STRING, DEFAULT_SYSTEM_PROMPT, Importance.MEDIUM,
                    "System prompt; on calls the agent adds that answers are spoken (short sentences, no markup).")
            .define(HISTORY_TURNS, Type.INT, 10, Range.atLeast(0), Importance.LOW,
                    "Past exchanges (customer message + reply) per conversation sent along, kept in memory until the conversation ends.")
            .define(REQUEST_TIMEOUT_MS, Type.LONG, 30_000L, Range.atLeast(1), Importance.LOW,
                    "How long the API may take to start answering (the agent's handler timeout bounds the whole reply).")
            .define(MAX_TOOL_ROUNDS, Type.INT, 3, Range.between(0, 20), Importance.LOW,
                    "Rounds of function calls (handoff, search_knowledge, retrieve_memory) the model may make for one customer message before it must answer in words; 0 offers no tools.")
            .define(KnowledgeSearch.KNOWLEDGE_BASE_ID, Type.STRING, null, Importance.MEDIUM,
                    "Twilio Knowledge base (know_base_...) the LLM agent offers as its search_knowledge tool; needs TWILIO_API_KEY/TWILIO_API_SECRET (or TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN). Unset: no knowledge tool.");

    private final KnowledgeSearch knowledgeSearch;

    public LlmConfig(Map<String, String> env) {
        super(DEFINITION, withDefaultBootstrap(env));
        try {
            URI uri = URI.create(getString(BASE_URL));
            if (uri.getScheme() == null || !uri.getScheme().startsWith("http") || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException(BASE_URL, getString(BASE_URL), "must be an http(s) URL such as https://api.openai.com/v1");
        }
        try {
            knowledgeSearch = KnowledgeSearch.fromEnv(env).orElse(null);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(KnowledgeSearch.KNOWLEDGE_BASE_ID, env.get(KnowledgeSearch.KNOWLEDGE_BASE_ID), e.getMessage());
        }
    }

    /** The LLM settings; a missing {@code OPENAI_BASE_URL} or {@code OPENAI_MODEL} fails naming the variable. */
    public static LlmConfig fromEnv(Map<String, String> env) {
        return load(LlmConfig::new, env);
    }

    /** True when the environment asks for the LLM agent ({@code OPENAI_BASE_URL} set). */
    public static boolean isConfigured(Map<String, String> env) {
        String url = env.get(BASE_URL);
        return url != null && !url.isBlank();
    }

    private static Map<String, String> withDefaultBootstrap(Map<String, String> env) {
        Map<String, String> copy = new HashMap<>(env);
        String bootstrap = copy.get(KafkaSettings.BOOTSTRAP_SERVERS);
        if (bootstrap == null || bootstrap.isBlank()) {
            copy.put(KafkaSettings.BOOTSTRAP_SERVERS, AgentConfig.DEFAULT_BOOTSTRAP_SERVERS);
        }
        return copy;
    }

    /** {@code {OPENAI_BASE_URL}/chat/completions}. */
    public URI chatCompletionsUri() {
        String base = getString(BASE_URL);
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/chat/completions");
    }

    public String apiKey() {
        return secret(API_KEY);
    }

    public String model() {
        return getString(MODEL);
    }

    public String systemPrompt() {
        return getString(SYSTEM_PROMPT);
    }

    public int historyTurns() {
        return getInt(HISTORY_TURNS);
    }

    public Duration requestTimeout() {
        return Duration.ofMillis(getLong(REQUEST_TIMEOUT_MS));
    }

    public int maxToolRounds() {
        return getInt(MAX_TOOL_ROUNDS);
    }

    /** The knowledge search behind the search_knowledge tool, or null when TWILIO_KNOWLEDGE_BASE_ID is not set. */
    public KnowledgeSearch knowledgeSearch() {
        return knowledgeSearch;
    }
}
