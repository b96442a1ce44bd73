package io.switchboard.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.inbound.CallEnded;
import io.switchboard.events.inbound.CallStarted;
import io.switchboard.events.inbound.Prompt;
import io.switchboard.localtwilio.TwilioSignatures;
import io.switchboard.testkit.TopicTail;
import io.switchboard.topics.Topic;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any sequence of relay messages on a real, signed {@code /ws} socket after {@code setup}: whole text frames, text
 * messages split into fragments at any byte (inside a UTF-8 sequence too), binary messages. The ingress produces at
 * most one event per text message that is a JSON object of an event type (a rejected, unknown, binary or malformed
 * message produces nothing), never a second CallStarted; the call then either still answers a prompt or was closed
 * with a WebSocket protocol code, and ends with CallEnded.
 * <p>Input: one message per line; the first character says how it is sent — {@code T} a text frame, {@code F} a text
 * message in as many fragments as the next digit says, {@code B} a binary frame — and the rest is its payload.
 */
class RelaySocketFuzzTest {
    private static final List<String> EVENT_TYPES = List.of("prompt", "interrupt", "dtmf", "error", "info");
    private static final AtomicInteger CALLS = new AtomicInteger();
    static IngressUnderTest ingress;
    static TopicTail<InboundEvent> tail;
    static WebSocketClient client;

    @BeforeAll
    static void start() throws Exception {
        ingress = new IngressUnderTest(Map.of());
        tail = new TopicTail<>(Topic.INBOUND);
        client = ingress.vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20));
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        tail.close();
        ingress.close();
    }

    @FuzzTest
    void anyMessagesAfterSetup(byte[] input) throws Exception {
        String callSid = "CAfuzz" + ProcessHandle.current().pid() + "x" + CALLS.incrementAndGet();
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(ingress.port())
                .setURI("/ws").addHeader("X-Twilio-Signature",
                        TwilioSignatures.sign(IngressUnderTest.TOKEN, "ws://127.0.0.1:" + ingress.port() + "/ws", Map.of()));
        HostileRelayFrameTest.Socket socket = new HostileRelayFrameTest.Socket(HostileRelayFrameTest.join(client.connect(options)));
        socket.text(HostileRelayFrameTest.setup(callSid));
        int eventMessages = 0;
        for (String line : new String(input, StandardCharsets.UTF_8).split("\n")) {
            if (line.isEmpty() || socket.closed) {
                continue;
            }
            byte[] payload = line.substring(1).getBytes(StandardCharsets.UTF_8);
            switch (line.charAt(0)) {
                case 'B' -> send(socket, List.of(WebSocketFrame.binaryFrame(Buffer.buffer(payload), true)));
                case 'F' -> {
                    eventMessages += isEvent(line.substring(2)) ? 1 : 0;
                    send(socket, fragments(line.length() > 1 ? line.charAt(1) - '0' : 2, line.length() > 1
                            ? line.substring(2).getBytes(StandardCharsets.UTF_8) : new byte[0]));
                }
                default -> {
                    eventMessages += isEvent(line.substring(1)) ? 1 : 0;
                    send(socket, List.of(WebSocketFrame.textFrame(line.substring(1), true)));
                }
            }
        }
        String probe = "probe " + callSid;
        if (!socket.closed) {
            socket.text(HostileRelayFrameTest.prompt(probe));
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> socket.closed || answered(callSid, probe));
        if (!socket.closed) {
            HostileRelayFrameTest.join(socket.ws.close());
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> last(callSid) instanceof CallEnded);

        List<Object> events = tail.values(callSid).stream().map(InboundEvent::getPayload).toList();
        assertThat(events.get(0)).isInstanceOf(CallStarted.class);
        assertThat(events.stream().filter(CallStarted.class::isInstance)).hasSize(1);
        // CallStarted, the event messages' events, the probe's prompt if it went out, CallEnded
        assertThat(events.size()).isLessThanOrEqualTo(eventMessages + 3);
        if (socket.closeCode != null && socket.closeCode != 1000) {
            assertThat(socket.closeCode).as("close code").isIn((short) 1002, (short) 1006, (short) 1007, (short) 1009);
        }
    }

    /** {@code count} (1..9) fragments of about equal byte length: a text frame, then continuation frames. */
    private static List<WebSocketFrame> fragments(int count, byte[] message) {
        int n = Math.max(1, Math.min(9, count));
        List<WebSocketFrame> frames = new ArrayList<>();
        int step = Math.max(1, (message.length + n - 1) / n);
        // the first fragment goes out as text frame of whole characters, so split the rest at any byte
        String head = new String(message, 0, Math.min(step, message.length), StandardCharsets.UTF_8);
        byte[] headBytes = head.getBytes(StandardCharsets.UTF_8);
        boolean cleanHead = Arrays.equals(headBytes, Arrays.copyOf(message, headBytes.length));
        int offset = cleanHead ? headBytes.length : 0;
        frames.add(WebSocketFrame.textFrame(cleanHead ? head : "", offset >= message.length));
        while (offset < message.length) {
            int end = Math.min(message.length, offset + step);
            frames.add(WebSocketFrame.continuationFrame(Buffer.buffer(Arrays.copyOfRange(message, offset, end)),
                    end == message.length));
            offset = end;
        }
        return frames;
    }

    private static void send(HostileRelayFrameTest.Socket socket, List<WebSocketFrame> frames) {
        for (WebSocketFrame frame : frames) {
            Future<Void> written = socket.ws.writeFrame(frame);
            try {
                HostileRelayFrameTest.join(written);
            } catch (IllegalStateException closed) {
                return; // the server closed the socket mid-message: what the assertions look at
            }
        }
    }

    private static boolean isEvent(String text) {
        try {
            return EVENT_TYPES.contains(new JsonObject(text).getValue("type"));
        } catch (RuntimeException notAnObject) {
            return false;
        }
    }

    private static boolean answered(String callSid, String probe) {
        return tail.values(callSid).stream().anyMatch(e -> e.getPayload() instanceof Prompt p
                && p.getVoicePrompt().toString().equals(probe));
    }

    private static Object last(String callSid) {
        List<InboundEvent> events = tail.values(callSid);
        return events.isEmpty() ? null : events.get(events.size() - 1).getPayload();
    }
}
