package io.switchboard.reliability;

import io.switchboard.events.InboundEvent;
import io.switchboard.events.inbound.Prompt;
import io.switchboard.ingress.http.PublicServerOptions;
import io.switchboard.localtwilio.TwilioSignatures;
import io.switchboard.testkit.TopicTail;
import io.switchboard.topics.Topic;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Relay frames of every kind of wrongness on {@code /ws}: before setup, not JSON, unknown type, wrong field types,
 * binary, too large. A wrong frame produces no event and the call goes on; a frame over the size limit closes the
 * socket with 1009; an upgrade without a valid signature for its own URL gets 403.
 */
class HostileRelayFrameTest {
    static IngressUnderTest ingress;
    static TopicTail<InboundEvent> tail;
    static WebSocketClient client;
    static final List<String> tried = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        ingress = new IngressUnderTest(Map.of());
        tail = new TopicTail<>(Topic.INBOUND);
        client = ingress.vertx.createWebSocketClient(new io.vertx.core.http.WebSocketClientOptions()
                .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20));
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        tail.close();
        ingress.close();
        System.out.printf("%nHostile relay frames: %d frames tried, 0 events produced by invalid ones%n", tried.size());
    }

    /** The conversation's event types so far. */
    static List<String> typesOf(String conversationId) {
        return tail.values(conversationId).stream().map(e -> e.getPayload().getClass().getSimpleName()).toList();
    }

    /** Waits until the conversation's last event is of {@code type}; returns all its event types. */
    static List<String> awaitLast(String conversationId, String type) {
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> {
            List<String> types = typesOf(conversationId);
            return !types.isEmpty() && types.get(types.size() - 1).equals(type);
        });
        return typesOf(conversationId);
    }

    /** A signed relay socket that records its close code. */
    static final class Socket {
        final WebSocket ws;
        volatile Short closeCode;
        volatile boolean closed;

        Socket(WebSocket ws) {
            this.ws = ws;
            ws.closeHandler(v -> {
                closeCode = ws.closeStatusCode();
                closed = true;
            });
        }

        void text(String frame) {
            tried.add(frame.length() > 60 ? frame.substring(0, 60) : frame);
            join(ws.writeTextMessage(frame));
        }

        void binary(byte[] bytes) {
            tried.add("binary " + bytes.length);
            join(ws.writeBinaryMessage(Buffer.buffer(bytes)));
        }
    }

    static Socket connect(String path, String signedPath, String token) throws Exception {
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(ingress.port())
                .setURI(path);
        if (token != null) {
            options.addHeader("X-Twilio-Signature", sign(token, signedPath));
        }
        return new Socket(client.connect(options).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    }

    static String sign(String token, String path) {
        int q = path.indexOf('?');
        Map<String, String> params = new TreeMap<>();
        if (q >= 0) {
            for (String pair : path.substring(q + 1).split("&")) {
                String[] kv = pair.split("=", 2);
                params.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        return TwilioSignatures.sign(token, "ws://127.0.0.1:" + ingress.port() + (q >= 0 ? path.substring(0, q) : path), params);
    }

    static String setup(String callSid) {
        return new JsonObject().put("type", "setup").put("sessionId", "VX" + callSid).put("callSid", callSid)
                .put("accountSid", "AC00000000000000000000000000000000").put("from", "+15559876543")
                .put("to", "+15551234567").put("customParameters", new JsonObject()).encode();
    }

    static String prompt(String text) {
        return new JsonObject().put("type", "prompt").put("voicePrompt", text).put("lang", "en-US").put("last", true).encode();
    }

    @Test
    void framesBeforeSetupProduceNothingAndTheCallStillStarts() throws Exception {
        Socket socket = connect("/ws", "/ws", IngressUnderTest.TOKEN);
        for (String frame : List.of(prompt("too early"), "{\"type\":\"dtmf\",\"digit\":\"1\"}", "{\"type\":\"interrupt\"}",
                "not json", "{\"type\":\"setup\"", "[1,2]", "\"setup\"", "42", "null", "{}", "{\"type\":7}",
                "{\"type\":null}", "{\"type\":\"SETUP\",\"callSid\":\"CAupper\",\"sessionId\":\"VX1\"}", "{\"type\":\"bogus\"}",
                "{\"type\":\"setup\",\"callSid\":\"CAnoSession\"}", "{\"type\":\"setup\",\"sessionId\":\"VXnoCall\"}",
                "{\"type\":\"setup\",\"sessionId\":\"VX2\",\"callSid\":42}",
                "{\"type\":\"setup\",\"sessionId\":[\"VX\"],\"callSid\":\"CAarr\"}",
                "{\"type\":\"setup\",\"sessionId\":\"VX3\",\"callSid\":\"CAcp\",\"customParameters\":\"x\"}",
                "[".repeat(3000) + "]".repeat(3000), "\uFEFF" + setup("CAbom"), "")) {
            socket.text(frame);
        }
        socket.binary(setup("CAbinary").getBytes());
        socket.binary(new byte[] {(byte) 0xFF, 0, 1});
        socket.text(setup("CArelay1"));
        socket.text(prompt("hello"));
        assertThat(awaitLast("CArelay1", "Prompt")).containsExactly("CallStarted", "Prompt");
        assertThat(socket.closed).as("socket still up").isFalse();
        for (String other : List.of("CAupper", "CAnoSession", "CAarr", "CAcp", "CAbom", "CAbinary", "42")) {
            assertThat(tail.values(other)).as(other).isEmpty();
        }
        join(socket.ws.close());
        assertThat(awaitLast("CArelay1", "CallEnded")).containsExactly("CallStarted", "Prompt", "CallEnded");
    }

    @Test
    void wrongFramesAfterSetupAreRejectedAndTheCallGoesOn() throws Exception {
        Socket socket = connect("/ws", "/ws", IngressUnderTest.TOKEN);
        socket.text(setup("CArelay2"));
        for (String frame : List.of(
                "{\"type\":\"prompt\",\"voicePrompt\":123}",
                "{\"type\":\"prompt\",\"voicePrompt\":{\"a\":1}}",
                "{\"type\":\"prompt\",\"voicePrompt\":\"x\",\"last\":\"yes\"}",
                "{\"type\":\"prompt\",\"voicePrompt\":\"x\",\"lang\":5}",
                "{\"type\":\"interrupt\",\"utteranceUntilInterrupt\":\"x\",\"durationUntilInterruptMs\":\"abc\"}",
                "{\"type\":\"interrupt\",\"utteranceUntilInterrupt\":[],\"durationUntilInterruptMs\":1}",
                "{\"type\":\"dtmf\",\"digit\":5}",
                "{\"type\":\"dtmf\"}",
                "{\"type\":\"error\",\"description\":{}}",
                setup("CArelay2"), setup("CAhijack"),
                "{\"type\":\"unknownKind\",\"x\":1}",
                "{\"type\":\"prompt\",\"voicePrompt\":\"x\"",
                "{\"type\":\"prompt\",\"type\":\"dtmf\",\"digit\":\"1\",\"voicePrompt\":\"dup\"}")) {
            socket.text(frame);
        }
        socket.binary(prompt("binary prompt").getBytes());
        socket.text(prompt("after"));
        List<String> types = awaitLast("CArelay2", "Prompt");
        assertThat(types).containsExactly("CallStarted", "Prompt");
        assertThat(((Prompt) tail.values("CArelay2").get(1).getPayload()).getVoicePrompt()).isEqualTo("after");
        assertThat(tail.values("CAhijack")).isEmpty();
        assertThat(socket.closed).isFalse();
        join(socket.ws.close());
    }

    @Test
    void aFrameOverTheSizeLimitClosesTheSocketWith1009AndProducesNoPrompt() throws Exception {
        Socket socket = connect("/ws", "/ws", IngressUnderTest.TOKEN);
        socket.text(setup("CArelay3"));
        socket.text(prompt("x".repeat(PublicServerOptions.MAX_RELAY_MESSAGE_BYTES + 1024)));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> socket.closed);
        // The server answers 1009 and closes at once; the client, still writing, may see the reset first (1006).
        assertThat(socket.closeCode).isIn((short) 1009, (short) 1006);
        assertThat(awaitLast("CArelay3", "CallEnded")).containsExactly("CallStarted", "CallEnded");
    }

    @Test
    void aMessageOverTheSizeLimitInSmallFragmentsClosesTheSocketWith1009() throws Exception {
        WebSocketClient fragmenting = ingress.vertx.createWebSocketClient(new io.vertx.core.http.WebSocketClientOptions()
                .setMaxFrameSize(8 * 1024).setMaxMessageSize(1 << 20));
        try {
            WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(ingress.port())
                    .setURI("/ws").addHeader("X-Twilio-Signature", sign(IngressUnderTest.TOKEN, "/ws"));
            Socket socket = new Socket(join(fragmenting.connect(options)));
            socket.text(setup("CArelay5"));
            socket.text(prompt("z".repeat(PublicServerOptions.MAX_RELAY_MESSAGE_BYTES * 2)));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> socket.closed);
            assertThat(socket.closeCode).isIn((short) 1009, (short) 1006);
            assertThat(awaitLast("CArelay5", "CallEnded")).containsExactly("CallStarted", "CallEnded");
        } finally {
            fragmenting.close();
        }
    }

    @Test
    void aPromptJustUnderTheLimitIsAccepted() throws Exception {
        Socket socket = connect("/ws", "/ws", IngressUnderTest.TOKEN);
        socket.text(setup("CArelay4"));
        socket.text(prompt("y".repeat(PublicServerOptions.MAX_RELAY_MESSAGE_BYTES - 200)));
        assertThat(awaitLast("CArelay4", "Prompt")).containsExactly("CallStarted", "Prompt");
        join(socket.ws.close());
    }

    @Test
    void upgradesWithoutAValidSignatureForTheirOwnUrlAreRefused() {
        long before = ingress.producedRecords();
        assertRefused("/ws", "/ws", null);
        assertRefused("/ws", "/ws", "forged-token");
        assertRefused("/ws?tenant=b", "/ws?tenant=a", IngressUnderTest.TOKEN);
        assertRefused("/ws", "/twiml", IngressUnderTest.TOKEN);
        assertRefused("/ws?x=1", "/ws", IngressUnderTest.TOKEN);
        assertThat(ingress.producedRecords()).isEqualTo(before);
    }

    private static void assertRefused(String path, String signedPath, String token) {
        assertThatThrownBy(() -> connect(path, signedPath, token))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(UpgradeRejectedException.class)
                .satisfies(e -> assertThat(((UpgradeRejectedException) e).getStatus()).isEqualTo(403));
    }

    static <T> T join(io.vertx.core.Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
