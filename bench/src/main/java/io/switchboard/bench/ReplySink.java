package io.switchboard.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Twilio's REST API as the benchmark sees it: the place where a messaging reply ends up. It answers the
 * Conversation Orchestrator {@code SEND_MESSAGE} action like Twilio (202) and hands every message id found in the
 * request body, with its arrival time, to the listener. Lighter than local-twilio's {@code FakeTwilioApi}, which keeps
 * every request in a copy-on-write list (quadratic at thousands of requests per second).
 */
final class ReplySink implements AutoCloseable {
    static final Pattern MESSAGE_ID = Pattern.compile("bm\\d+x\\d+");

    private final HttpServer server;
    private final AtomicReference<BiConsumer<String, Long>> listener = new AtomicReference<>((id, at) -> { });
    final AtomicLong actions = new AtomicLong();
    final AtomicLong otherRequests = new AtomicLong();

    ReplySink(Vertx vertx, int port) {
        try {
            server = vertx.createHttpServer().requestHandler(this::handle).listen(port, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start the reply sink: " + e, e);
        }
    }

    /** Where messaging replies go: {@code TWILIO_API_BASE_URL} of the stack under test. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    void listener(BiConsumer<String, Long> onReply) {
        listener.set(onReply);
    }

    private void handle(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            long at = System.nanoTime();
            String path = request.path();
            if (path.endsWith("/Actions")) {
                actions.incrementAndGet();
                Matcher m = MESSAGE_ID.matcher(body.toString());
                if (m.find()) {
                    listener.get().accept(m.group(), at);
                }
                request.response().setStatusCode(202).putHeader("Content-Type", "application/json")
                        .end("{\"id\":\"conv_action_" + at + "\",\"type\":\"SEND_MESSAGE\",\"status\":\"QUEUED\"}");
            } else if (path.endsWith("/Participants") && request.method().name().equals("GET")) {
                request.response().putHeader("Content-Type", "application/json")
                        .end("{\"participants\":[],\"meta\":{\"pageSize\":50}}");
            } else {
                otherRequests.incrementAndGet();
                request.response().setStatusCode(404).putHeader("Content-Type", "application/json")
                        .end("{\"code\":20404,\"message\":\"not in the benchmark's sink\",\"status\":404}");
            }
        });
    }

    @Override
    public void close() {
        server.close();
    }
}
