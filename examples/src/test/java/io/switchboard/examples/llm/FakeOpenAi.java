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
 * chunk, and notices when the client hangs up.
 */
final class FakeOpenAi implements AutoCloseable {

    /** A request as the server received it. */
    record Request(JsonObject body, String authorization) {
        String lastUserMessage() {
            JsonArray messages = body.getJsonArray("messages");
            return messages.getJsonObject(messages.size() - 1).getString("content");
        }
    }

    /** How the answer to one user message is streamed. */
    static final class Script {
        final List<String> tokens;
        final long delayMs;
        final int holdAfter;
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch hangUp = new CountDownLatch(1);
        volatile int written;

        /** Streams {@code tokens} {@code delayMs} apart, waiting for {@link #release} after {@code holdAfter} of them (-1: never). */
        Script(List<String> tokens, long delayMs, int holdAfter) {
            this.tokens = tokens;
            this.delayMs = delayMs;
            this.holdAfter = holdAfter;
        }
    }

    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Script> scripts = new ConcurrentHashMap<>();
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
        scripts.put(userText, script);
        return script;
    }

    private void complete(HttpExchange exchange) throws IOException {
        Request request = new Request(new JsonObject(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)),
                exchange.getRequestHeaders().getFirst("Authorization"));
        requests.add(request);
        Script script = scripts.getOrDefault(request.lastUserMessage(), new Script(List.of("OK"), 0, -1));
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
            event(out, "[DONE]");
        } catch (IOException e) {
            script.hangUp.countDown(); // the client closed the connection mid-stream
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
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
