package io.switchboard.dev.simulator;

import io.switchboard.localtwilio.TwilioSignatures;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.ext.web.client.WebClient;
import java.util.Map;

/**
 * What Twilio does towards the ingress, signed with dev's TWILIO_AUTH_TOKEN exactly as Twilio signs: form webhooks
 * (Conversations v1, the voice webhook, the relay action callback) and the ConversationRelay WebSocket upgrade.
 * The ingress is reached on loopback at its public port ({@code PORT}).
 */
final class TwilioSide implements AutoCloseable {
    private final String authToken;
    private final String agentNumber;
    private final String websocketPath;
    private final String actionPath;
    private final String twimlPath;
    private final String webhookPath;
    private final WebClient http;
    private final WebSocketClient sockets;

    TwilioSide(Vertx vertx, Map<String, String> env) {
        this.authToken = env.getOrDefault("TWILIO_AUTH_TOKEN", "");
        this.agentNumber = env.getOrDefault("TWILIO_PHONE_NUMBER", TwilioWebhooks.AGENT_NUMBER);
        this.websocketPath = env.getOrDefault("TWILIO_VOICE_WEBSOCKET_PATH", "/ws");
        this.actionPath = env.getOrDefault("TWILIO_VOICE_ACTION_PATH", "/conversation-relay-callback");
        this.twimlPath = env.getOrDefault("TWILIO_VOICE_TWIML_PATH", "/twiml");
        this.webhookPath = env.getOrDefault("SWITCHBOARD_WEBHOOK_PATH", "/webhook");
        // Kept in fields: Vert.x 5 closes clients nothing references.
        this.http = WebClient.create(vertx);
        this.sockets = vertx.createWebSocketClient();
    }

    String agentNumber() {
        return agentNumber;
    }

    String actionPath() {
        return actionPath;
    }

    /** Where the ingress serves the voice webhook. */
    String twimlPath() {
        return twimlPath;
    }

    /** Where the ingress serves the Conversations webhook. */
    String webhookPath() {
        return webhookPath;
    }

    /** POSTs a signed form to the ingress; the future holds the HTTP status. */
    Future<Integer> postForm(int port, String path, Map<String, String> form) {
        String signature = TwilioSignatures.sign(authToken, "http://127.0.0.1:" + port + path, form);
        return http.post(port, "127.0.0.1", path)
                .putHeader("Content-Type", "application/x-www-form-urlencoded")
                .putHeader("X-Twilio-Signature", signature)
                .sendBuffer(Buffer.buffer(TwilioWebhooks.encode(form)))
                .map(response -> response.statusCode());
    }

    /** Opens the ConversationRelay socket as Twilio does (TAC's signing scheme: the URL without a query). */
    Future<WebSocket> openRelay(int port) {
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
                .setURI(websocketPath)
                .addHeader("X-Twilio-Signature",
                        TwilioSignatures.sign(authToken, "ws://127.0.0.1:" + port + websocketPath, Map.of()));
        return sockets.connect(options);
    }

    @Override
    public void close() {
        http.close();
        sockets.close();
    }
}
