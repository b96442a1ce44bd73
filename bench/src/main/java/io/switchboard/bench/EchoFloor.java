package io.switchboard.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The floor: a plain Vert.x server that answers what ingress answers, with no Kafka and no services behind it. A
 * relay {@code prompt} is echoed at once as the same text frames the echo agent streams; a {@code /webhook} is
 * acknowledged and the echo is posted to the reply sink as a {@code SEND_MESSAGE} action. What the benchmark
 * measures against it is the cost of HTTP, WebSockets, JSON and the client itself on this machine.
 *
 * <p>The benchmark runs it as a child process ({@link #main}), like the stack, so both are measured the same way.
 */
final class EchoFloor implements AutoCloseable {
    static final String READY = "Echo floor listening on 127.0.0.1:";

    private final Vertx vertx;
    private final HttpServer server;
    private final WebClient twilio;

    /** Listens on {@code port} (0: any) of 127.0.0.1; posts messaging echoes to {@code sinkBaseUrl}. */
    EchoFloor(String sinkBaseUrl, int port) {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        twilio = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
                .setDefaultPort(Integer.parseInt(sinkBaseUrl.substring(sinkBaseUrl.lastIndexOf(':') + 1))),
                new PoolOptions().setHttp1MaxSize(64));
        try {
            server = vertx.createHttpServer()
                    .webSocketHandler(this::relay)
                    .requestHandler(request -> request.body().onSuccess(body -> {
                        request.response().setStatusCode(200).end();
                        JsonObject event = body.toJsonObject();
                        JsonObject data = event.getJsonObject("data");
                        String text = data.getJsonObject("content").getString("text");
                        JsonObject action = new JsonObject().put("type", "SEND_MESSAGE")
                                .put("content", new JsonObject().put("type", "TEXT").put("text", text));
                        twilio.post("/v2/Conversations/" + data.getString("conversationId") + "/Actions")
                                .putHeader("Content-Type", "application/json").sendBuffer(action.toBuffer());
                    }))
                    .listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("Cannot start the echo floor: " + e, e);
        }
    }

    /** {@code EchoFloor PORT SINK_BASE_URL}: the floor until SIGTERM; prints {@link #READY} when listening. */
    public static void main(String[] args) throws InterruptedException {
        EchoFloor floor = new EchoFloor(args[1], Integer.parseInt(args[0]));
        System.out.println(READY + floor.port());
        System.out.flush();
        Thread.currentThread().join();
    }

    int port() {
        return server.actualPort();
    }

    private void relay(ServerWebSocket socket) {
        socket.textMessageHandler(text -> {
            JsonObject frame = new JsonObject(text);
            if ("prompt".equals(frame.getString("type"))) {
                String[] tokens = tokens(frame.getString("voicePrompt"));
                for (int i = 0; i < tokens.length; i++) {
                    socket.writeTextMessage(new JsonObject().put("type", "text").put("token", tokens[i])
                            .put("last", i == tokens.length - 1).encode());
                }
            }
        });
    }

    @Override
    public void close() {
        twilio.close();
        vertx.close().await();
    }

    /** The echo split into tokens as a streaming agent would send them: one per word, spaces kept. */
    static String[] tokens(String text) {
        List<String> tokens = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == ' ') {
                tokens.add(text.substring(start, i));
                start = i;
            }
        }
        return tokens.isEmpty() ? new String[] {""} : tokens.toArray(String[]::new);
    }
}
