package io.switchboard.examples.llm;

import io.switchboard.agent.AgentTools;
import io.switchboard.agent.KnowledgeSearch;
import io.switchboard.agent.Reply;
import io.switchboard.agent.TokenStream;
import io.switchboard.events.PastCommunication;
import io.switchboard.events.Memory;
import io.switchboard.events.Observation;
import io.switchboard.events.Summary;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the model's function calls for one customer message through the SDK: {@code handoff} → {@link Reply#handoff}
 * with the model's reason (the reply said so far is sent first, so the goodbye arrives before the handoff),
 * {@code search_knowledge} → {@link KnowledgeSearch#search}, {@code retrieve_memory} → the agent's
 * {@code retrieveMemory}. A tool that fails tells the model so in its result; the conversation goes on.
 */
final class ToolExecutor {
    private static final Logger log = LoggerFactory.getLogger(ToolExecutor.class);

    /** What a call produced: the text for the model, and whether the conversation now belongs to a human. */
    record Outcome(String content, boolean handedOff) {
    }

    private final Reply reply;
    private final TokenStream stream;
    private final KnowledgeSearch knowledge;
    private final Function<String, CompletableFuture<Memory>> memory;

    /**
     * @param knowledge null when no knowledge base is configured
     * @param memory    query → the customer's memory; null when no memory service is configured
     */
    ToolExecutor(Reply reply, TokenStream stream, KnowledgeSearch knowledge,
                 Function<String, CompletableFuture<Memory>> memory) {
        this.reply = reply;
        this.stream = stream;
        this.knowledge = knowledge;
        this.memory = memory;
    }

    Outcome execute(ToolCalls.Call call) throws InterruptedException {
        JsonObject arguments = call.argumentsJson();
        try {
            if (AgentTools.HANDOFF.name().equals(call.name())) {
                return handoff(arguments.getString("reason", "The assistant handed the conversation to a human."));
            }
            if (AgentTools.KNOWLEDGE_SEARCH.name().equals(call.name()) && knowledge != null) {
                return new Outcome(searchKnowledge(arguments.getString("query", "")), false);
            }
            if (AgentTools.MEMORY_RETRIEVAL.name().equals(call.name()) && memory != null) {
                return new Outcome(retrieveMemory(arguments.getString("query", "")), false);
            }
            return new Outcome(error("there is no tool named " + call.name()), false);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            log.warn("The {} tool failed: {}", call.name(), e.toString());
            return new Outcome(error(e instanceof ExecutionException && e.getCause() != null
                    ? e.getCause().getMessage() : e.getMessage()), false);
        }
    }

    private Outcome handoff(String reason) {
        stream.end(); // what the model said before the call goes out before the handoff
        reply.handoff(reason);
        return new Outcome(new JsonObject().put("status", "handed off").put("reason", reason).encode(), true);
    }

    private String searchKnowledge(String query) {
        JsonArray chunks = new JsonArray();
        for (KnowledgeSearch.Chunk chunk : knowledge.search(query)) {
            chunks.add(new JsonObject().put("content", chunk.content()).put("score", chunk.score())
                    .put("knowledgeId", chunk.knowledgeId()));
        }
        return new JsonObject().put("chunks", chunks).encode();
    }

    private String retrieveMemory(String query) throws InterruptedException, ExecutionException {
        Memory recalled = memory.apply(query).get();
        JsonObject result = new JsonObject()
                .put("summaries", new JsonArray(recalled.getSummaries().stream().map(Summary::getContent).map(String::valueOf).toList()))
                .put("observations", new JsonArray(recalled.getObservations().stream().map(Observation::getContent).map(String::valueOf).toList()));
        JsonArray communications = new JsonArray();
        for (PastCommunication c : recalled.getCommunications()) {
            communications.add(new JsonObject().put("from", c.getFromAgent() ? "agent" : "customer")
                    .put("text", String.valueOf(c.getText())));
        }
        return result.put("communications", communications).encode();
    }

    private static String error(String message) {
        return new JsonObject().put("error", String.valueOf(message)).encode();
    }
}
