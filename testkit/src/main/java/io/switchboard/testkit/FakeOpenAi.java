package io.switchboard.testkit;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A local OpenAI-compatible chat-completions endpoint ({@code POST {baseUrl}/chat/completions}, a Vert.x server on
 * loopback) that streams scripted answers as server-sent events, chunk by chunk, and notices when the client hangs
 * up. An answer may ask for function calls: their {@code tool_calls} deltas are streamed in pieces (id and name first,
 * then the JSON arguments in two halves) and the last chunk's {@code finish_reason} is {@code tool_calls}, as OpenAI
 * streams them. Answers are chosen by the request's last user message and its tool round (assistant messages after
 * it); a message without a script is answered "OK".
 *
 * <pre>{@code
 * try (FakeOpenAi model = FakeOpenAi.start()) {
 *     model.script("I want a person", Script.calling(List.of("Connecting you."),
 *             new ToolCall("call_1", "handoff", new JsonObject().put("reason", "asked for a human"))));
 *     ... // OPENAI_BASE_URL=model.baseUrl()
 * }
 * }</pre>
 */
public final class FakeOpenAi implements AutoCloseable {

    /** A request as the server received it. */
    public record Request(JsonObject body, String authorization) {
        public JsonArray messages() {
            return body.getJsonArray("messages");
        }

        /** The content of the last {@code user} message. */
        public String lastUserMessage() {
            JsonArray messages = messages();
            for (int i = messages.size() - 1; i >= 0; i--) {
                if ("user".equals(messages.getJsonObject(i).getString("role"))) {
                    return messages.getJsonObject(i).getString("content");
                }
            }
            return null;
        }

        /** Tool rounds already made for the last user message: the assistant messages after it. */
        public int round() {
            JsonArray messages = messages();
            int round = 0;
            for (int i = messages.size() - 1; i >= 0 && !"user".equals(messages.getJsonObject(i).getString("role")); i--) {
                if ("assistant".equals(messages.getJsonObject(i).getString("role"))) {
                    round++;
                }
            }
            return round;
        }

        /** The names of the tools offered (empty when none). */
        public List<String> toolNames() {
            JsonArray tools = body.getJsonArray("tools");
            return tools == null ? List.of() : tools.stream()
                    .map(t -> ((JsonObject) t).getJsonObject("function").getString("name")).toList();
        }
    }

    /** A function call the model asks for. */
    public record ToolCall(String id, String name, JsonObject arguments) {
    }

    /** How one answer is streamed. */
    public static final class Script {
        private final List<String> tokens;
        private final long delayMs;
        private final int holdAfter;
        private final List<ToolCall> toolCalls;
        private final CompletableFuture<Void> released = new CompletableFuture<>();
        private final CountDownLatch hangUp = new CountDownLatch(1);
        private volatile int written;

        /** Streams {@code tokens} {@code delayMs} apart, waiting for {@link #release()} after {@code holdAfter} of them (-1: never). */
        public Script(List<String> tokens, long delayMs, int holdAfter) {
            this(tokens, delayMs, holdAfter, List.of());
        }

        private Script(List<String> tokens, long delayMs, int holdAfter, List<ToolCall> toolCalls) {
            this.tokens = List.copyOf(tokens);
            this.delayMs = delayMs;
            this.holdAfter = holdAfter;
            this.toolCalls = List.copyOf(toolCalls);
        }

        /** Says {@code tokens} (may be empty), then asks for {@code calls}. */
        public static Script calling(List<String> tokens, ToolCall... calls) {
            return new Script(tokens, 0, -1, List.of(calls));
        }

        /** Lets a held answer go on. */
        public void release() {
            released.complete(null);
        }

        /** True once the client closed the connection mid-answer, waiting up to {@code timeout}. */
        public boolean awaitHangUp(Duration timeout) throws InterruptedException {
            return hangUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** Tokens written so far. */
        public int written() {
            return written;
        }
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, List<Script>> scripts = new ConcurrentHashMap<>();

    private FakeOpenAi() {
        try {
            server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("Cannot start the fake OpenAI API: " + e, e);
        }
    }

    public static FakeOpenAi start() {
        return new FakeOpenAi();
    }

    /** {@code http://127.0.0.1:<port>/v1}: the value for {@code OPENAI_BASE_URL}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.actualPort() + "/v1";
    }

    /** The answer to the user message {@code userText}, in every round. */
    public Script script(String userText, Script script) {
        scripts.put(userText, List.of(script));
        return script;
    }

    /** The answers to {@code userText} in successive tool rounds; the last one answers every later round too. */
    public void script(String userText, Script... rounds) {
        scripts.put(userText, List.of(rounds));
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The requests made for the customer message {@code userText}, in order. */
    public List<Request> requestsFor(String userText) {
        return requests.stream().filter(r -> userText.equals(r.lastUserMessage())).toList();
    }

    private void handle(HttpServerRequest request) {
        if (!request.path().endsWith("/v1/chat/completions") || request.method() != io.vertx.core.http.HttpMethod.POST) {
            request.response().setStatusCode(404).end();
            return;
        }
        request.body().onSuccess(body -> {
            Request recorded = new Request(body.toJsonObject(), request.getHeader("Authorization"));
            requests.add(recorded);
            List<Script> rounds = scripts.getOrDefault(String.valueOf(recorded.lastUserMessage()),
                    List.of(new Script(List.of("OK"), 0, -1)));
            Script script = rounds.get(Math.min(recorded.round(), rounds.size() - 1));
            HttpServerResponse response = request.response().setChunked(true)
                    .putHeader("Content-Type", "text/event-stream").setStatusCode(200);
            new Answer(vertx.getOrCreateContext(), response, script).next(0);
        });
    }

    /** Writes one scripted answer, event by event, on the request's context. */
    private static final class Answer {
        private final Context context;
        private final HttpServerResponse response;
        private final Script script;
        private final List<String> events = new ArrayList<>();
        private final int firstToken;
        private boolean finished;

        Answer(Context context, HttpServerResponse response, Script script) {
            this.context = context;
            this.response = response;
            this.script = script;
            events.add(chunk(new JsonObject().put("role", "assistant"), null));
            firstToken = events.size();
            script.tokens.forEach(t -> events.add(chunk(new JsonObject().put("content", t), null)));
            for (int i = 0; i < script.toolCalls.size(); i++) {
                ToolCall call = script.toolCalls.get(i);
                String arguments = call.arguments().encode();
                int half = arguments.length() / 2;
                events.add(toolDelta(new JsonObject().put("index", i).put("id", call.id()).put("type", "function")
                        .put("function", new JsonObject().put("name", call.name()).put("arguments", ""))));
                events.add(toolDelta(new JsonObject().put("index", i)
                        .put("function", new JsonObject().put("arguments", arguments.substring(0, half)))));
                events.add(toolDelta(new JsonObject().put("index", i)
                        .put("function", new JsonObject().put("arguments", arguments.substring(half)))));
            }
            events.add(chunk(new JsonObject(), script.toolCalls.isEmpty() ? "stop" : "tool_calls"));
            events.add("[DONE]");
            response.closeHandler(v -> {
                if (!finished) {
                    script.hangUp.countDown(); // the client closed the connection mid-answer
                }
            });
        }

        void next(int i) {
            if (response.closed()) {
                return;
            }
            if (i == events.size()) {
                finished = true;
                response.end();
                return;
            }
            int token = i - firstToken;
            boolean isToken = token >= 0 && token < script.tokens.size();
            if (isToken && token == script.holdAfter && !script.released.isDone()) {
                script.released.thenRun(() -> context.runOnContext(v -> next(i)));
                return;
            }
            response.write("data: " + events.get(i) + "\n\n");
            if (isToken) {
                script.written = token + 1;
            }
            if (isToken && script.delayMs > 0) {
                context.owner().setTimer(script.delayMs, id -> next(i + 1));
            } else {
                context.runOnContext(v -> next(i + 1));
            }
        }

        private static String chunk(JsonObject delta, String finishReason) {
            JsonObject choice = new JsonObject().put("index", 0).put("delta", delta);
            if (finishReason != null) {
                choice.put("finish_reason", finishReason);
            }
            return new JsonObject().put("id", "chatcmpl-fake").put("object", "chat.completion.chunk")
                    .put("choices", new JsonArray().add(choice)).encode();
        }

        private static String toolDelta(JsonObject piece) {
            return chunk(new JsonObject().put("tool_calls", new JsonArray().add(piece)), null);
        }
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
}
