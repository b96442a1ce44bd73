package io.switchboard.examples.llm;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The function calls of one model answer, assembled from the chat-completions {@code tool_calls}: streamed deltas
 * arrive in pieces ({@code {index, id, function {name, arguments}}} first, then more {@code arguments} text for the
 * same index), a non-streamed {@code message.tool_calls} arrives whole; both go through {@link #add(JsonArray)}.
 */
final class ToolCalls {

    /** One call: {@code arguments} is the JSON text the model wrote (parsed by {@link #argumentsJson()}). */
    record Call(String id, String name, String arguments) {
        /** The arguments as an object; empty when the model wrote none or something that is not a JSON object. */
        JsonObject argumentsJson() {
            try {
                return arguments == null || arguments.isBlank() ? new JsonObject() : new JsonObject(arguments);
            } catch (DecodeException | ClassCastException e) {
                return new JsonObject();
            }
        }
    }

    private static final class Partial {
        String id;
        String name;
        final StringBuilder arguments = new StringBuilder();
    }

    private final Map<Integer, Partial> byIndex = new TreeMap<>();

    /** Adds a {@code tool_calls} array (deltas or whole calls); calls without an index take their position. */
    synchronized void add(JsonArray toolCalls) {
        if (toolCalls == null) {
            return;
        }
        for (int i = 0; i < toolCalls.size(); i++) {
            JsonObject piece = toolCalls.getJsonObject(i);
            Partial call = byIndex.computeIfAbsent(piece.getInteger("index", i), k -> new Partial());
            if (piece.getString("id") != null) {
                call.id = piece.getString("id");
            }
            JsonObject function = piece.getJsonObject("function");
            if (function != null) {
                if (function.getString("name") != null) {
                    call.name = function.getString("name");
                }
                Object arguments = function.getValue("arguments");
                if (arguments != null) {
                    // some servers send the arguments as an object instead of a JSON string
                    call.arguments.append(arguments instanceof String s ? s : arguments.toString());
                }
            }
        }
    }

    synchronized boolean isEmpty() {
        return byIndex.isEmpty();
    }

    /** The complete calls, in index order; pieces without a function name are dropped. */
    synchronized List<Call> calls() {
        List<Call> calls = new ArrayList<>();
        byIndex.forEach((index, p) -> {
            if (p.name != null) {
                calls.add(new Call(p.id == null ? "call_" + index : p.id, p.name, p.arguments.toString()));
            }
        });
        return calls;
    }

    /** The assistant message that asked for these calls, as the next request must repeat it before the results. */
    JsonObject assistantMessage(String content) {
        JsonArray toolCalls = new JsonArray();
        for (Call call : calls()) {
            toolCalls.add(new JsonObject().put("id", call.id()).put("type", "function")
                    .put("function", new JsonObject().put("name", call.name()).put("arguments", call.arguments())));
        }
        return new JsonObject().put("role", "assistant").put("content", content == null || content.isEmpty() ? null : content)
                .put("tool_calls", toolCalls);
    }

    /** The message carrying one call's result back to the model. */
    static JsonObject resultMessage(Call call, String result) {
        return new JsonObject().put("role", "tool").put("tool_call_id", call.id()).put("content", result);
    }
}
