package io.switchboard.router;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.events.Memory;
import io.switchboard.events.Observation;
import io.switchboard.memory.MemoryJson;
import io.switchboard.memory.MemoryQuery;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real HTTP server on loopback (port 0) standing in for memory-service: {@code POST /memory/retrieve} parses the
 * query with {@link MemoryJson} and answers one observation naming the query ({@code "recalled for '<query>'"}).
 * Per conversation it can answer late (a delay, and/or until a gate opens) or with a status other than 200. Every query is recorded.
 * Like the real service, it answers 401 to a request without {@code Authorization: Bearer }{@link #TOKEN}.
 */
final class FakeMemoryService implements AutoCloseable {
    static final String TOKEN = "fake-memory-internal-token";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "fake-memory");
        thread.setDaemon(true);
        return thread;
    });
    private final List<MemoryQuery> queries = new CopyOnWriteArrayList<>();
    private final Map<String, Duration> delays = new ConcurrentHashMap<>();
    private final Map<String, Integer> statuses = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<?>> gates = new ConcurrentHashMap<>();
    private volatile Duration delayForAll = Duration.ZERO;

    FakeMemoryService() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/memory/retrieve", this::retrieve);
        server.setExecutor(executor); // several at once: one slow answer must not hold the others
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Queries received, in arrival order. */
    List<MemoryQuery> queries() {
        return List.copyOf(queries);
    }

    List<MemoryQuery> queriesOf(String conversationId) {
        return queries.stream().filter(q -> conversationId.equals(q.conversationId())).toList();
    }

    void delay(String conversationId, Duration delay) {
        delays.put(conversationId, delay);
    }

    void delayAll(Duration delay) {
        delayForAll = delay;
    }

    /** After its delay, the answer for {@code conversationId} also waits for {@code gate} (at most 60 s). */
    void holdUntil(String conversationId, CompletableFuture<?> gate) {
        gates.put(conversationId, gate);
    }

    void failWith(String conversationId, int status) {
        statuses.put(conversationId, status);
    }

    static String recalled(String query) {
        return "recalled for '" + query + "'";
    }

    private void retrieve(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            MemoryQuery query = MemoryJson.queryFromJson(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            queries.add(query);
            Duration delay = delays.getOrDefault(query.conversationId(), delayForAll);
            if (!delay.isZero()) {
                Thread.sleep(delay.toMillis());
            }
            CompletableFuture<?> gate = gates.get(query.conversationId());
            if (gate != null) {
                try {
                    gate.get(60, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    // answer anyway
                }
            }
            int status = statuses.getOrDefault(query.conversationId(), 200);
            String body = status == 200
                    ? MemoryJson.memoryToJson(Memory.newBuilder().setObservations(List.of(Observation.newBuilder()
                            .setId("obs_" + queries.size()).setContent(recalled(query.query())).build())).build())
                    : "{\"error\":\"unavailable\"}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client gave up (timeout): nothing to answer
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
