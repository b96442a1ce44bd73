package io.switchboard.dev.simulator;

import io.switchboard.localtwilio.TwilioWebhooks;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;

/**
 * One open simulator page: the customer it plays and its current conversation. Actions from the page (JSON):
 * <ul>
 *   <li>{@code {"action":"send","channel":"SMS|WHATSAPP|RCS|CHAT|VOICE","identity":"+1555…","text":"…"}} — a
 *       message (a Conversations v1 {@code onMessageAdded} webhook) or, on VOICE, a final spoken prompt on the relay
 *       socket (the first one places the call: the voice webhook, the socket, {@code setup}). A different channel or
 *       identity starts a new conversation.</li>
 *   <li>{@code {"action":"interrupt"}} — the caller talks over the agent (relay {@code interrupt} with what was
 *       heard so far).</li>
 *   <li>{@code {"action":"end"}} — messaging: the conversation is closed ({@code onConversationStateUpdated});
 *       voice: the caller hangs up (the socket closes, then the action callback).</li>
 * </ul>
 * Pushed to the page: {@code conversation}, {@code sent}, {@code reply} (messaging), {@code token} (voice),
 * {@code frame} (other relay frames), {@code event} (a topic passed), {@code ended}, {@code error}.
 * Runs on the page socket's event loop.
 */
final class PageSession {
    private final ServerWebSocket page;
    private final TwilioSide twilio;
    private final int port;
    private final BiConsumer<String, PageSession> track;
    private String channel;
    private String identity;
    private String conversationId;
    private WebSocket relay;
    private final StringBuilder heard = new StringBuilder();

    PageSession(ServerWebSocket page, TwilioSide twilio, int port, BiConsumer<String, PageSession> track) {
        this.page = page;
        this.twilio = twilio;
        this.port = port;
        this.track = track;
    }

    void handle(JsonObject action) {
        switch (action.getString("action", "")) {
            case "send" -> send(action.getString("channel", "SMS").toUpperCase(Locale.ROOT),
                    action.getString("identity", TwilioWebhooks.CUSTOMER).trim(), action.getString("text", ""));
            case "interrupt" -> interrupt();
            case "end" -> end();
            default -> push(new JsonObject().put("type", "error").put("text", "Unknown action " + action));
        }
    }

    private void send(String newChannel, String newIdentity, String text) {
        if (text.isBlank()) {
            return;
        }
        if (conversationId == null || !newChannel.equals(channel) || !newIdentity.equals(identity)) {
            if (conversationId != null) {
                end();
            }
            channel = newChannel;
            identity = newIdentity;
            conversationId = (isVoice() ? "CA" : "CH") + HexFormat.of().formatHex(randomBytes());
            track.accept(conversationId, this);
            push(new JsonObject().put("type", "conversation").put("conversationId", conversationId)
                    .put("channel", channel).put("identity", identity));
        }
        if (isVoice()) {
            speak(conversationId, text);
        } else {
            message(conversationId, text);
        }
    }

    private boolean isVoice() {
        return "VOICE".equals(channel);
    }

    private void message(String conversation, String text) {
        String messageSid = "IM" + HexFormat.of().formatHex(randomBytes());
        Map<String, String> form = TwilioWebhooks.messageAdded(conversation, messageSid, author(), text, source());
        twilio.postForm(port, twilio.webhookPath(), form)
                .onComplete(ar -> sent(conversation, text, "POST " + twilio.webhookPath(), ar));
    }

    /** The author address of a message, as Twilio writes it for each channel. */
    private String author() {
        return switch (channel) {
            case "WHATSAPP" -> identity.startsWith("whatsapp:") ? identity : "whatsapp:" + identity;
            case "RCS" -> identity.startsWith("rcs:") ? identity : "rcs:" + identity;
            default -> identity;
        };
    }

    private String source() {
        return switch (channel) {
            case "CHAT" -> "SDK";
            case "WHATSAPP" -> "WHATSAPP";
            case "RCS" -> "RCS";
            default -> "SMS";
        };
    }

    private void speak(String callSid, String text) {
        Future<WebSocket> socket = relay != null ? Future.succeededFuture(relay) : call(callSid);
        socket.onSuccess(ws -> {
            heard.setLength(0);
            ws.writeTextMessage(new JsonObject().put("type", "prompt").put("voicePrompt", text).put("lang", "en-US")
                    .put("last", true).encode());
            push(new JsonObject().put("type", "sent").put("conversationId", callSid).put("text", text)
                    .put("via", "relay prompt").put("status", 101));
        }).onFailure(e -> error("The call could not be placed: " + e.getMessage()));
    }

    /** Places the call: the voice webhook (TwiML), then the relay socket and its {@code setup}. */
    private Future<WebSocket> call(String callSid) {
        Map<String, String> incoming = new LinkedHashMap<>(TwilioWebhooks.incomingCall(callSid));
        incoming.put("From", identity);
        incoming.put("To", twilio.agentNumber());
        return twilio.postForm(port, twilio.twimlPath(), incoming).compose(status -> {
            if (status != 200) {
                return Future.failedFuture("the voice webhook answered " + status);
            }
            return twilio.openRelay(port);
        }).map(ws -> {
            relay = ws;
            ws.textMessageHandler(text -> fromIngress(callSid, new JsonObject(text)));
            ws.closeHandler(v -> {
                if (relay == ws) {
                    relay = null;
                }
                push(new JsonObject().put("type", "callClosed").put("conversationId", callSid)
                        .put("code", ws.closeStatusCode()));
            });
            ws.writeTextMessage(setup(callSid).encode());
            return ws;
        });
    }

    private JsonObject setup(String callSid) {
        return new JsonObject().put("type", "setup").put("sessionId", "VX" + callSid.substring(2))
                .put("accountSid", TwilioWebhooks.ACCOUNT_SID).put("callSid", callSid).put("parentCallSid", "")
                .put("from", identity).put("to", twilio.agentNumber()).put("forwardedFrom", "").put("callerName", "")
                .put("direction", "inbound").put("callType", "PSTN").put("callStatus", "RINGING")
                .put("customParameters", new JsonObject());
    }

    private void fromIngress(String callSid, JsonObject frame) {
        if ("text".equals(frame.getString("type"))) {
            String token = frame.getString("token", "");
            boolean last = frame.getBoolean("last", false);
            heard.append(token);
            push(new JsonObject().put("type", "token").put("conversationId", callSid).put("token", token)
                    .put("last", last));
            if (last) {
                heard.setLength(0);
            }
        } else {
            push(new JsonObject().put("type", "frame").put("conversationId", callSid).put("frame", frame));
        }
    }

    private void interrupt() {
        if (relay == null) {
            error("Nothing to interrupt: interrupting works on a voice call");
            return;
        }
        relay.writeTextMessage(new JsonObject().put("type", "interrupt")
                .put("utteranceUntilInterrupt", heard.toString()).put("durationUntilInterruptMs", "500").encode());
        push(new JsonObject().put("type", "interrupted").put("conversationId", conversationId)
                .put("heard", heard.toString()));
        heard.setLength(0);
    }

    private void end() {
        String ending = conversationId;
        if (ending == null) {
            return;
        }
        conversationId = null;
        if (isVoice()) {
            WebSocket socket = relay;
            relay = null;
            Future<Void> closed = socket == null ? Future.succeededFuture() : socket.close((short) 1000, "call ended");
            closed.compose(v -> twilio.postForm(port, twilio.actionPath(),
                            TwilioWebhooks.relayCallback(ending, "completed", null)))
                    .onComplete(ar -> ended(ending, ar.succeeded() ? ar.result() : null));
        } else {
            twilio.postForm(port, twilio.webhookPath(), TwilioWebhooks.conversationStateUpdated(ending, "active", "closed"))
                    .onComplete(ar -> ended(ending, ar.succeeded() ? ar.result() : null));
        }
    }

    private void ended(String conversation, Integer status) {
        push(new JsonObject().put("type", "ended").put("conversationId", conversation).put("status", status));
    }

    private void sent(String conversation, String text, String via, AsyncResult<Integer> ar) {
        if (ar.failed()) {
            error(via + " failed: " + ar.cause().getMessage());
            return;
        }
        push(new JsonObject().put("type", "sent").put("conversationId", conversation).put("text", text)
                .put("via", via).put("status", ar.result()));
    }

    private void error(String text) {
        push(new JsonObject().put("type", "error").put("text", text));
    }

    void push(JsonObject message) {
        if (!page.isClosed()) {
            page.writeTextMessage(message.encode());
        }
    }

    void close() {
        if (relay != null) {
            relay.close((short) 1000, "page closed");
            relay = null;
        }
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[16];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }
}
