package io.switchboard.testkit;

import io.switchboard.localtwilio.TwilioSignatures;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;

/**
 * Speaks ConversationRelay to a Switchboard ingress the way Twilio does: a signed WebSocket upgrade, then JSON text
 * frames ({@code setup}, {@code prompt}, {@code interrupt}, {@code dtmf}, …). Every frame ingress writes back is kept
 * for assertions.
 *
 * <pre>{@code
 * try (RelayClient call = RelayClient.connect(vertx, port, authToken)) {
 *     call.setup("CA…");
 *     call.prompt("hello");
 *     call.awaitFrame(f -> f.getBoolean("last", false));
 *     assertThat(call.spokenText()).isEqualTo("hello");
 * }
 * }</pre>
 */
public final class RelayClient implements AutoCloseable {
    /** How the upgrade request is signed. */
    public enum Signing { VALID, FORGED, NONE }

    /** The upgrade was refused (e.g. 403 for a bad signature). */
    public static final class Refused extends RuntimeException {
        private final int status;

        Refused(int status) {
            super("WebSocket upgrade refused with HTTP " + status);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final WebSocketClient client;
    private final WebSocket socket;
    private final List<JsonObject> received = new CopyOnWriteArrayList<>();
    private volatile Short closeStatus;
    private volatile boolean closed;
    private String callSid;

    private RelayClient(WebSocketClient client, WebSocket socket) {
        this.client = client;
        this.socket = socket;
        socket.textMessageHandler(text -> received.add(new JsonObject(text)));
        socket.closeHandler(v -> {
            closeStatus = socket.closeStatusCode();
            closed = true;
        });
    }

    /** Connects to {@code ws://127.0.0.1:port/ws}, signed with {@code authToken} for that URL. */
    public static RelayClient connect(Vertx vertx, int port, String authToken) {
        return connect(vertx, port, "/ws", authToken, Signing.VALID);
    }

    /** Connects to {@code path} (may carry a query); {@code signing} chooses a valid, forged or missing signature. */
    public static RelayClient connect(Vertx vertx, int port, String path, String authToken, Signing signing) {
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path);
        if (signing != Signing.NONE) {
            String token = signing == Signing.VALID ? authToken : authToken + "-forged";
            options.addHeader("X-Twilio-Signature", sign(token, "ws://127.0.0.1:" + port, path));
        }
        WebSocketClient client = vertx.createWebSocketClient();
        try {
            WebSocket socket = client.connect(options).toCompletionStage().toCompletableFuture()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return new RelayClient(client, socket);
        } catch (ExecutionException e) {
            client.close();
            if (e.getCause() instanceof UpgradeRejectedException rejected) {
                throw new Refused(rejected.getStatus());
            }
            throw new IllegalStateException("Relay connection failed: " + e.getCause(), e.getCause());
        } catch (Exception e) {
            client.close();
            throw new IllegalStateException("Relay connection failed: " + e, e);
        }
    }

    /** TAC's current scheme: the URL without its query, the query parameters as the signed parameters. */
    private static String sign(String token, String base, String path) {
        int q = path.indexOf('?');
        Map<String, String> params = new java.util.TreeMap<>();
        if (q >= 0) {
            for (String pair : path.substring(q + 1).split("&")) {
                if (!pair.isEmpty()) {
                    String[] kv = pair.split("=", 2);
                    params.put(decode(kv[0]), kv.length > 1 ? decode(kv[1]) : "");
                }
            }
        }
        return TwilioSignatures.sign(token, base + (q >= 0 ? path.substring(0, q) : path), params);
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Sends {@code setup} for a call with Twilio's fields (from +15559876543 to +15551234567). */
    public RelayClient setup(String callSid) {
        return setup(callSid, Map.of());
    }

    public RelayClient setup(String callSid, Map<String, String> customParameters) {
        this.callSid = callSid;
        return send(new JsonObject()
                .put("type", "setup")
                .put("sessionId", "VX" + callSid.substring(Math.min(2, callSid.length())))
                .put("accountSid", "AC00000000000000000000000000000000")
                .put("callSid", callSid)
                .put("parentCallSid", "")
                .put("from", "+15559876543")
                .put("to", "+15551234567")
                .put("forwardedFrom", "")
                .put("callerName", "")
                .put("direction", "inbound")
                .put("callType", "PSTN")
                .put("callStatus", "RINGING")
                .put("customParameters", new JsonObject(Map.copyOf(customParameters))));
    }

    /** A final prompt ({@code last: true}). */
    public RelayClient prompt(String voicePrompt) {
        return prompt(voicePrompt, true);
    }

    public RelayClient prompt(String voicePrompt, boolean last) {
        return send(new JsonObject().put("type", "prompt").put("voicePrompt", voicePrompt).put("lang", "en-US").put("last", last));
    }

    /** {@code durationUntilInterruptMs} goes as a string, as Twilio sometimes sends it. */
    public RelayClient interrupt(String utteranceUntilInterrupt, long durationUntilInterruptMs) {
        return send(new JsonObject().put("type", "interrupt").put("utteranceUntilInterrupt", utteranceUntilInterrupt)
                .put("durationUntilInterruptMs", Long.toString(durationUntilInterruptMs)));
    }

    public RelayClient dtmf(String digit) {
        return send(new JsonObject().put("type", "dtmf").put("digit", digit));
    }

    public RelayClient error(String description) {
        return send(new JsonObject().put("type", "error").put("description", description));
    }

    public RelayClient send(JsonObject frame) {
        return sendRaw(frame.encode());
    }

    /** Sends any text, even one that is not JSON. */
    public RelayClient sendRaw(String text) {
        await(socket.writeTextMessage(text));
        return this;
    }

    /** The call SID given to {@link #setup}. */
    public String callSid() {
        return callSid;
    }

    /** Every frame ingress wrote to this socket, in order. */
    public List<JsonObject> received() {
        return List.copyOf(received);
    }

    /** The received frames of one {@code type} (text, play, sendDigits, language, end). */
    public List<JsonObject> received(String type) {
        return received.stream().filter(f -> type.equals(f.getString("type"))).toList();
    }

    /** The tokens of all received text frames, joined: what the caller heard. */
    public String spokenText() {
        return received("text").stream().map(f -> f.getString("token", "")).collect(Collectors.joining());
    }

    /** Waits until a received frame matches, and returns it. */
    public JsonObject awaitFrame(Predicate<JsonObject> matching) {
        Awaitility.await().atMost(TIMEOUT).until(() -> received.stream().anyMatch(matching));
        return received.stream().filter(matching).findFirst().orElseThrow();
    }

    /** Waits until {@code count} frames were received. */
    public List<JsonObject> awaitFrames(int count) {
        Awaitility.await().atMost(TIMEOUT).until(() -> received.size() >= count);
        return received();
    }

    public boolean isClosed() {
        return closed;
    }

    /** The close code the server sent, once closed. */
    public Short closeStatus() {
        return closeStatus;
    }

    /** Closes the socket as Twilio does when the call ends (1000), and waits for it. */
    @Override
    public void close() {
        if (!closed) {
            try {
                socket.close((short) 1000, "call ended").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // already closing
            }
        }
        client.close();
    }

    private static <T> T await(io.vertx.core.Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
