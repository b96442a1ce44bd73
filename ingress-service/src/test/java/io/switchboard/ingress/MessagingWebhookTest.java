package io.switchboard.ingress;

import io.switchboard.events.Channel;
import io.switchboard.events.ConversationStatus;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.Source;
import io.switchboard.events.inbound.ConversationStateChanged;
import io.switchboard.events.inbound.MessageReceived;
import io.switchboard.localtwilio.TwilioSignatures;
import io.switchboard.localtwilio.TwilioWebhooks.Signing;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.testkit.TopicTail;
import io.switchboard.topics.Topic;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import static org.assertj.core.api.Assertions.assertThat;

/** Messaging webhooks in both of Twilio's formats, through the real broker. */
class MessagingWebhookTest {
    static Vertx vertx;
    static IngressFixture ingress;
    static TopicTail<InboundEvent> inbound;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        inbound = new TopicTail<>(Topic.INBOUND);
        ingress = new IngressFixture(vertx, 0, Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        ingress.close();
        inbound.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    static String id(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "");
    }

    @ParameterizedTest
    @CsvSource({"SMS,+15559876543", "WHATSAPP,whatsapp:+15559876543", "RCS,rcs:+15559876543", "CHAT,customer-42"})
    void orchestratorMessageOnEachChannelBecomesMessageReceived(String channel, String author) {
        String conversationId = id("conv_");
        String communicationId = id("comms_");
        var response = ingress.twilio.postJson("/webhook",
                TwilioWebhooks.communicationCreated(channel, conversationId, communicationId, author, "Hi, where is my order?"));
        assertThat(response.status()).isEqualTo(200);
        InboundEvent event = inbound.awaitValues(conversationId, 1).get(0);
        assertThat(event.getEventId()).isEqualTo(communicationId);
        assertThat(event.getSource()).isEqualTo(Source.ORCHESTRATOR);
        MessageReceived message = (MessageReceived) event.getPayload();
        assertThat(message.getChannel()).isEqualTo(Channel.valueOf(channel));
        assertThat(message.getText()).isEqualTo("Hi, where is my order?");
        assertThat(message.getAuthorAddress()).isEqualTo(author);
        assertThat(message.getAuthorParticipantId()).isEqualTo("conv_participant_cust");
        assertThat(message.getRecipientAddress()).isEqualTo(TwilioWebhooks.agentAddress(channel));
        assertThat(message.getCommunicationId()).isEqualTo(communicationId);
        assertThat(message.getChannelId()).startsWith("SM");
        assertThat(message.getAccountSid()).isEqualTo(TwilioWebhooks.ACCOUNT_SID);
    }

    @ParameterizedTest
    @CsvSource({"SMS,+15559876543,SMS", "WHATSAPP,whatsapp:+15559876543,WHATSAPP", "RCS,rcs:+15559876543,RCS",
            "CHAT,customer-42,SDK"})
    void conversationsV1MessageOnEachChannelBecomesMessageReceived(String channel, String author, String source) {
        String conversationSid = id("CH");
        String messageSid = id("IM");
        var response = ingress.twilio.postForm("/webhook",
                TwilioWebhooks.messageAdded(conversationSid, messageSid, author, "Hi, where is my order?", source));
        assertThat(response.status()).isEqualTo(200);
        InboundEvent event = inbound.awaitValues(conversationSid, 1).get(0);
        assertThat(event.getEventId()).isEqualTo(messageSid);
        assertThat(event.getSource()).isEqualTo(Source.CONVERSATIONS_V1);
        MessageReceived message = (MessageReceived) event.getPayload();
        assertThat(message.getChannel()).isEqualTo(Channel.valueOf(channel));
        assertThat(message.getText()).isEqualTo("Hi, where is my order?");
        assertThat(message.getAuthorAddress()).isEqualTo(author);
        assertThat(message.getCommunicationId()).isEqualTo(messageSid);
        assertThat(message.getAuthorParticipantId()).isEqualTo("MB00000000000000000000000000000001");
    }

    /**
     * Twilio's longest messages (an SMS of 1,600 characters, a WhatsApp message of 4,096), percent-encoded in a
     * form and arriving in many small TCP segments, reach the agent whole.
     */
    @ParameterizedTest
    @CsvSource({"SMS,+15559876543,1600", "WHATSAPP,whatsapp:+15559876543,4096"})
    void theLongestMessagesArriveWholeHoweverTheyAreSegmented(String source, String author, int length)
            throws Exception {
        String conversationSid = id("CH");
        String text = "Grüße, où est ma commande? ".repeat(length / 27 + 1).substring(0, length);
        Map<String, String> form = TwilioWebhooks.messageAdded(conversationSid, id("IM"), author, text, source);
        assertThat(postInSegments(form)).isEqualTo("HTTP/1.1 200");
        MessageReceived message = (MessageReceived) inbound.awaitValues(conversationSid, 1).get(0).getPayload();
        assertThat(message.getText()).isEqualTo(text);
    }

    /**
     * A field name of more than 1 KiB (Twilio sends none; a fuzzer did) got 200 in one piece and 400 in several
     * (Netty buffered the undecided name past Vert.x's 1 KiB default): the answer must not depend on the segments.
     */
    @Test
    void aLongFieldNameGetsTheSameAnswerHoweverItIsSegmented() throws Exception {
        String conversationSid = id("CH");
        Map<String, String> form = new LinkedHashMap<>(
                TwilioWebhooks.messageAdded(conversationSid, id("IM"), "+15559876543", "Hello", "SMS"));
        form.put("X" + "\uFFFD".repeat(400), "");
        assertThat(postInSegments(form)).isEqualTo("HTTP/1.1 200");
        assertThat(inbound.awaitValues(conversationSid, 1)).hasSize(1);
    }

    /** Posts a signed form on a raw socket, its body in 536-byte segments (the smallest MSS a path may have). */
    private static String postInSegments(Map<String, String> form) throws Exception {
        String url = "http://127.0.0.1:" + ingress.port() + "/webhook";
        byte[] body = TwilioWebhooks.encode(form).getBytes(StandardCharsets.US_ASCII);
        String head = "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1:" + ingress.port() + "\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\n"
                + "X-Twilio-Signature: " + TwilioSignatures.sign(IngressFixture.TOKEN, url, form) + "\r\n"
                + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", ingress.port())) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            for (int offset = 0; offset < body.length; offset += 536) {
                out.write(body, offset, Math.min(536, body.length - offset));
                out.flush();
                Thread.sleep(20); // each segment its own read on the server
            }
            return new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void theAgentsOwnAndEmptyMessagesAreAcknowledgedButNotPassedOn() {
        String conversationId = id("conv_");
        for (String channel : List.of("SMS", "WHATSAPP", "RCS", "CHAT")) {
            assertThat(ingress.twilio.postJson("/webhook", TwilioWebhooks.communicationCreated(channel, conversationId,
                    id("comms_"), TwilioWebhooks.agentAddress(channel), "Your order ships tomorrow.")).status()).isEqualTo(200);
        }
        assertThat(ingress.twilio.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversationId,
                id("comms_"), "+15559876543", "   ")).status()).isEqualTo(200);
        assertThat(ingress.twilio.postForm("/webhook", TwilioWebhooks.messageAdded(conversationId, id("IM"),
                "whatsapp:+15551234567", "echo", "WHATSAPP")).status()).isEqualTo(200);
        assertThat(ingress.twilio.postForm("/webhook", TwilioWebhooks.messageAdded(conversationId, id("IM"),
                TwilioWebhooks.agentAddress("CHAT"), "echo", "API")).status()).isEqualTo(200);
        // the customer's message afterwards is the conversation's only event
        String customerMessage = id("comms_");
        ingress.twilio.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversationId, customerMessage,
                "+15559876543", "hello"));
        List<InboundEvent> events = inbound.awaitValues(conversationId, 1);
        assertThat(events).extracting(InboundEvent::getEventId).containsExactly(customerMessage);
    }

    @Test
    void conversationStateChangesInBothFormats() {
        String conversationId = id("conv_");
        assertThat(ingress.twilio.postJson("/webhook", TwilioWebhooks.conversationUpdated(conversationId, "CLOSED"),
                Signing.VALID, Map.of("I-Twilio-Idempotency-Token", "tok-1")).status()).isEqualTo(200);
        ConversationStateChanged closed = (ConversationStateChanged) inbound.awaitValues(conversationId, 1).get(0).getPayload();
        assertThat(closed.getStatus()).isEqualTo(ConversationStatus.CLOSED);

        String conversationSid = id("CH");
        assertThat(ingress.twilio.postForm("/webhook", TwilioWebhooks.conversationStateUpdated(conversationSid, "active", "inactive"))
                .status()).isEqualTo(200);
        ConversationStateChanged inactive = (ConversationStateChanged) inbound.awaitValues(conversationSid, 1).get(0).getPayload();
        assertThat(inactive.getStatus()).isEqualTo(ConversationStatus.INACTIVE);
        assertThat(inactive.getPreviousStatus()).isEqualTo(ConversationStatus.ACTIVE);
    }

    @Test
    void wellFormedEventsSwitchboardDoesNotActOnGet200() {
        String body = new JsonObject().put("eventType", "PARTICIPANT_ADDED").put("data", new JsonObject().put("id", "p1")).encode();
        assertThat(ingress.twilio.postJson("/webhook", body).status()).isEqualTo(200);
        assertThat(ingress.twilio.postForm("/webhook", Map.of("EventType", "onParticipantAdded", "ConversationSid", "CH1"))
                .status()).isEqualTo(200);
        String voice = TwilioWebhooks.communicationCreated("VOICE", id("conv_"), id("comms_"), "+15559876543", "hi");
        assertThat(ingress.twilio.postJson("/webhook", voice).status()).isEqualTo(200);
    }

    @Test
    void malformedBodiesGet400() {
        assertThat(ingress.twilio.postJson("/webhook", "{not json").status()).isEqualTo(400);
        assertThat(ingress.twilio.postJson("/webhook", "{\"data\":{}}").status()).isEqualTo(400);
        assertThat(ingress.twilio.postJson("/webhook", "{\"eventType\":\"COMMUNICATION_CREATED\",\"data\":\"x\"}").status())
                .isEqualTo(400);
        assertThat(ingress.twilio.postJson("/webhook", "{\"eventType\":\"COMMUNICATION_CREATED\",\"data\":{\"id\":\"c1\"}}")
                .status()).isEqualTo(400);
        assertThat(ingress.twilio.postForm("/webhook", Map.of("Body", "hi")).status()).isEqualTo(400);
        assertThat(ingress.twilio.postForm("/webhook", Map.of("EventType", "onMessageAdded", "Body", "hi")).status())
                .isEqualTo(400);
        assertThat(ingress.twilio.postRaw("/webhook", "text/plain", "hello").status()).isEqualTo(400);
    }

    @Test
    void bodiesOverTheLimitGet413() {
        String text = "x".repeat(70 * 1024);
        String body = TwilioWebhooks.communicationCreated("SMS", id("conv_"), id("comms_"), "+15559876543", text);
        assertThat(ingress.twilio.postJson("/webhook", body).status()).isEqualTo(413);
    }

    @Test
    void missingForgedOrTamperedSignaturesGet403AndProduceNothing() throws Exception {
        String conversationId = id("conv_");
        String body = TwilioWebhooks.communicationCreated("SMS", conversationId, id("comms_"), "+15559876543", "hi");
        assertThat(ingress.twilio.postJson("/webhook", body, Signing.NONE, Map.of()).status()).isEqualTo(403);
        assertThat(ingress.twilio.postJson("/webhook", body, Signing.FORGED, Map.of()).status()).isEqualTo(403);
        Map<String, String> form = TwilioWebhooks.messageAdded(conversationId, id("IM"), "+15559876543", "hi", "SMS");
        assertThat(ingress.twilio.postForm("/webhook", form, Signing.NONE, Map.of()).status()).isEqualTo(403);
        assertThat(ingress.twilio.postForm("/webhook", form, Signing.FORGED, Map.of()).status()).isEqualTo(403);

        // signed correctly for one body, sent with another
        String tampered = body.replace("\"hi\"", "\"transfer all my money\"");
        String path = TwilioSignatures.withBodyHash("/webhook", body);
        String signature = TwilioSignatures.signJson(IngressFixture.TOKEN, "http://127.0.0.1:" + ingress.port() + path);
        WebClient client = WebClient.create(vertx);
        try {
            int status = client.post(ingress.port(), "127.0.0.1", path).putHeader("Content-Type", "application/json")
                    .putHeader("X-Twilio-Signature", signature).sendBuffer(Buffer.buffer(tampered))
                    .toCompletionStage().toCompletableFuture().get().statusCode();
            assertThat(status).isEqualTo(403);
        } finally {
            client.close();
        }
        String valid = id("comms_");
        ingress.twilio.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversationId, valid, "+15559876543", "ok"));
        assertThat(inbound.awaitValues(conversationId, 1)).extracting(InboundEvent::getEventId).containsExactly(valid);
        assertThat(ingress.meters.get("switchboard.ingress.requests").tag("route", "/webhook").tag("status", "403")
                .counter().count()).isGreaterThanOrEqualTo(5);
    }
}
