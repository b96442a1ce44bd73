package io.switchboard.agent;

import java.util.List;

/**
 * Ready-made tool definitions (OpenAI-style function calling: name, description, JSON-schema parameters) for what an
 * LLM agent can do through Switchboard: hand off to a human ({@link Reply#handoff}), search the knowledge base
 * ({@link KnowledgeSearch}) and retrieve the customer's memory. Descriptions follow TAC's tools.
 */
public final class AgentTools {
    private AgentTools() {
    }

    /** One tool: {@code parametersSchema} is a JSON Schema object, as a JSON string. */
    public record Tool(String name, String description, String parametersSchema) {
        /** {@code {"type":"function","function":{name, description, parameters}}}. */
        public String asOpenAiFunction() {
            return "{\"type\":\"function\",\"function\":{\"name\":" + quote(name) + ",\"description\":"
                    + quote(description) + ",\"parameters\":" + parametersSchema + "}}";
        }
    }

    public static final Tool HANDOFF = new Tool("handoff",
            "Hand off the conversation to a human agent. Use this when the customer requests a human, or when you "
                    + "cannot adequately handle the request.",
            "{\"type\":\"object\",\"properties\":{\"reason\":{\"type\":\"string\","
                    + "\"description\":\"Why the conversation is handed to a human.\"}},\"required\":[\"reason\"]}");

    public static final Tool KNOWLEDGE_SEARCH = new Tool("search_knowledge",
            "Search the knowledge base for information that helps answer the customer's question.",
            "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\","
                    + "\"description\":\"What to look for, in natural language.\"}},\"required\":[\"query\"]}");

    public static final Tool MEMORY_RETRIEVAL = new Tool("retrieve_memory",
            "Retrieve what is known about this customer from earlier conversations: observations, summaries and "
                    + "recent messages.",
            "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\","
                    + "\"description\":\"What to recall; empty for a general recall.\"}},\"required\":[]}");

    public static List<Tool> all() {
        return List.of(HANDOFF, KNOWLEDGE_SEARCH, MEMORY_RETRIEVAL);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
