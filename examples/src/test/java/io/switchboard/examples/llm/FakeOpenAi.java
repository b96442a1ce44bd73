package io.switchboard.examples.llm;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A local OpenAI-compatible chat-completions endpoint that streams scripted answers as server-sent events, chunk by
 * chunk, and notices when the client hangs up. An answer may ask for function calls: their {@code tool_calls} deltas
 * are streamed in pieces (id and name first, then the arguments in two halves), as OpenAI streams them.
 */
final class FakeOpenAi implements AutoCloseable {

    /** A request as the server received it. */
    record Request(JsonObject body, String authorization) {
        JsonArray messages() {
            return body.getJsonArray("messages");
        }

        String lastUserMessage() {
            JsonArray messages = messages();
            for (int i = messages.size() - 1; i >= 0; i--) {
                if ("user".equals(messages.getJsonObject(i).getString("role"))) {
                    return messages.getJsonObject(i).getString("content");
                }
            }
            return null;
        }

        /** Tool rounds already made for the last user message: assistant messages after it. */
        int round() {
            JsonArray messages = messages();
            int round = 0;
            for (int i = messages.size() - 1; i >= 0 && !"user".equals(messages.getJsonObject(i).getString("role")); i--) {
                if ("assistant".equals(messages.getJsonObject(i).getString("role"))) {
                    round++;
                }
            }
            return round;
        }

        /** The names of the tools offered. */
        List<String> toolNames() {
            JsonArray tools = body.getJsonArray("tools");
            return tools == null ? List.of() : tools.stream()
                    .map(t -> ((JsonObject) t).getJsonObject("function").getString("name")).toList();
        }
    }

    /** A function call the model asks for. */
    record ToolCall(String id, String name, JsonObject arguments) {
    }

    /** How the answer to one user message is streamed. */
    static final class Script {
        final List<String> tokens;
        final long delayMs;
        final int holdAfter;
        final List<ToolCall> toolCalls;
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch hangUp = new CountDownLatch(1);
        volatile int written;

        /** Streams {@code tokens} {@code delayMs} apart, waiting for {@link #release} after {@code holdAfter} of them (-1: never). */
        Script(List<String> tokens, long delayMs, int holdAfter) {
            this(tokens, delayMs, holdAfter, List.of());
        }

        private Script(List<String> tokens, long delayMs, int holdAfter, List<ToolCall> toolCalls) {
            this.tokens = tokens;
            this.delayMs = delayMs;
            this.holdAfter = holdAfter;
            this.toolCalls = toolCalls;
        }

        /** Says {@code tokens} (may be empty), then asks for {@code calls}. */
        static Script calling(List<String> tokens, ToolCall... calls) {
            return new Script(tokens, 0, -1, List.of(calls));
        }
    }

    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, List<Script>> scripts = new ConcurrentHashMap<>();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();

    FakeOpenAi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/v1/chat/completions", this::complete);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** The answer to the user message {@code userText}; other messages are answered "OK". */
    Script script(String userText, Script script) {
        scripts.put(userText, List.of(script));
        return script;
    }

    /** The answers to {@code userText} in successive tool rounds; the last one answers every later round too. */
    void script(String userText, Script... rounds) {
        scripts.put(userText, List.of(rounds));
    }

    /** The requests made for the customer message {@code userText}, in order. */
    List<Request> requestsFor(String userText) {
        return requests.stream().filter(r -> userText.equals(r.lastUserMessage())).toList();
    }

    private void complete(HttpExchange exchange) throws IOException {
        Request request = new Request(new JsonObject(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)),
                exchange.getRequestHeaders().getFirst("Authorization"));
        requests.add(request);
        List<Script> rounds = scripts.getOrDefault(String.valueOf(request.lastUserMessage()), List.of(new Script(List.of("OK"), 0, -1)));
        Script script = rounds.get(Math.min(request.round(), rounds.size() - 1));
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            event(out, new JsonObject().put("choices", new JsonArray().add(new JsonObject()
                    .put("index", 0).put("delta", new JsonObject().put("role", "assistant")))).encode());
            for (int i = 0; i < script.tokens.size(); i++) {
                if (i == script.holdAfter) {
                    script.release.await(30, TimeUnit.SECONDS);
                }
                event(out, new JsonObject().put("id", "chatcmpl-1").put("object", "chat.completion.chunk")
                        .put("choices", new JsonArray().add(new JsonObject().put("index", 0)
                                .put("delta", new JsonObject().put("content", script.tokens.get(i))))).encode());
                script.written = i + 1;
                Thread.sleep(script.delayMs);
            }
            for (int i = 0; i < script.toolCalls.size(); i++) {
                ToolCall call = script.toolCalls.get(i);
                String arguments = call.arguments().encode();
                int half = arguments.length() / 2;
                toolDelta(out, new JsonObject().put("index", i).put("id", call.id()).put("type", "function")
                        .put("function", new JsonObject().put("name", call.name()).put("arguments", "")));
                toolDelta(out, new JsonObject().put("index", i).put("function", new JsonObject().put("arguments", arguments.substring(0, half))));
                toolDelta(out, new JsonObject().put("index", i).put("function", new JsonObject().put("arguments", arguments.substring(half))));
            }
            event(out, new JsonObject().put("choices", new JsonArray().add(new JsonObject().put("index", 0)
                    .put("delta", new JsonObject()).put("finish_reason", script.toolCalls.isEmpty() ? "stop" : "tool_calls"))).encode());
            event(out, "[DONE]");
        } catch (IOException e) {
            script.hangUp.countDown(); // the client closed the connection mid-stream
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }

    private static void toolDelta(OutputStream out, JsonObject piece) throws IOException {
        event(out, new JsonObject().put("choices", new JsonArray().add(new JsonObject().put("index", 0)
                .put("delta", new JsonObject().put("tool_calls", new JsonArray().add(piece))))).encode());
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
