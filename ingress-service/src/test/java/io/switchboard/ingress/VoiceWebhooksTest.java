package io.switchboard.ingress;

import io.switchboard.events.InboundEvent;
import io.switchboard.events.inbound.CallEndReason;
import io.switchboard.events.inbound.CallEnded;
import io.switchboard.ids.EventIds;
import io.switchboard.localtwilio.TwilioSignatures;
import io.switchboard.localtwilio.TwilioWebhooks.Response;
import io.switchboard.localtwilio.TwilioWebhooks.Signing;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.testkit.TopicTail;
import io.switchboard.topics.Topic;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

/** The TwiML webhook and the ConversationRelay action callback, signed as Twilio signs them. */
class VoiceWebhooksTest {
    static final String DOMAIN = "switchboard.example.com";
    static Vertx vertx;
    static IngressFixture ingress;
    static TopicTail<InboundEvent> inbound;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        inbound = new TopicTail<>(Topic.INBOUND);
        ingress = new IngressFixture(vertx, 0, Map.of(
                "TWILIO_VOICE_PUBLIC_DOMAIN", DOMAIN,
                "TWILIO_VOICE_LANGUAGES", "es-MX;voice=Polly.Mia;ttsProvider=Amazon,fr-FR"));
    }

    @AfterAll
    static void stop() throws Exception {
        ingress.close();
        inbound.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void twimlConnectsTheCallToConversationRelayOnThePublicDomain() {
        Response response = ingress.twilio.postForm("/twiml?conversationId=conv_1",
                TwilioWebhooks.incomingCall("CA00000000000000000000000000000001"));
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.headers().get("Content-Type")).startsWith("text/xml");
        String xml = response.body();
        assertThat(xml).contains("<Connect action=\"https://" + DOMAIN + "/conversation-relay-callback\">")
                .contains("url=\"wss://" + DOMAIN + "/ws\"")
                .contains("welcomeGreeting=\"Hello! How can I assist you today?\"")
                .contains("<Language code=\"es-MX\"").contains("voice=\"Polly.Mia\"").contains("<Language code=\"fr-FR\"/>")
                .contains("<Parameter name=\"From\" value=\"+15559876543\"/>")
                .contains("<Parameter name=\"To\" value=\"+15551234567\"/>")
                .contains("<Parameter name=\"CallSid\" value=\"CA00000000000000000000000000000001\"/>")
                .contains("<Parameter name=\"conversationId\" value=\"conv_1\"/>");
    }

    @Test
    void twimlSignedForTheForwardedPublicUrlIsAccepted() throws Exception {
        Map<String, String> form = TwilioWebhooks.incomingCall("CA00000000000000000000000000000002");
        String signature = TwilioSignatures.sign(IngressFixture.TOKEN, "https://proxy.example.org/twiml", form);
        var client = io.vertx.ext.web.client.WebClient.create(vertx);
        try {
            int status = client.post(ingress.port(), "127.0.0.1", "/twiml")
                    .putHeader("Content-Type", "application/x-www-form-urlencoded")
                    .putHeader("X-Forwarded-Proto", "https")
                    .putHeader("X-Forwarded-Host", "proxy.example.org, internal.lb")
                    .putHeader("X-Twilio-Signature", signature)
                    .sendBuffer(io.vertx.core.buffer.Buffer.buffer(TwilioWebhooks.encode(form)))
                    .toCompletionStage().toCompletableFuture().get().statusCode();
            assertThat(status).isEqualTo(200);
        } finally {
            client.close();
        }
    }

    @Test
    void twimlWithoutOrWithAForgedSignatureIsRefused() {
        Map<String, String> form = TwilioWebhooks.incomingCall("CA00000000000000000000000000000003");
        assertThat(ingress.twilio.postForm("/twiml", form, Signing.NONE, Map.of()).status()).isEqualTo(403);
        assertThat(ingress.twilio.postForm("/twiml", form, Signing.FORGED, Map.of()).status()).isEqualTo(403);
    }

    @Test
    void actionCallbackEndsTheCallWithTheHandoffDataAndAnswersTwiml() {
        String callSid = "CA" + java.util.UUID.randomUUID().toString().replace("-", "");
        String handoff = "{\"reasonCode\":\"live-agent-handoff\",\"reason\":\"customer asked for a human\"}";
        Response response = ingress.twilio.postForm("/conversation-relay-callback",
                TwilioWebhooks.relayCallback(callSid, "ended", handoff));
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).contains("<Response/>");
        List<InboundEvent> events = inbound.awaitValues(callSid, 1);
        assertThat(events.get(0).getEventId()).isEqualTo(EventIds.derived(callSid, "callback"));
        CallEnded ended = (CallEnded) events.get(0).getPayload();
        assertThat(ended.getReason()).isEqualTo(CallEndReason.ACTION_CALLBACK);
        assertThat(ended.getHandoffData()).isEqualTo(handoff);
        assertThat(ended.getSessionStatus()).isEqualTo("ended");
        assertThat(ended.getSessionDurationSeconds()).isEqualTo(42L);
        assertThat(ended.getCallStatus()).isEqualTo("in-progress");
    }

    @Test
    void actionCallbackUnsignedForgedOrFromAnotherAccountIsRefusedAndProducesNothing() {
        String callSid = "CA" + java.util.UUID.randomUUID().toString().replace("-", "");
        Map<String, String> form = TwilioWebhooks.relayCallback(callSid, "ended", null);
        assertThat(ingress.twilio.postForm("/conversation-relay-callback", form, Signing.NONE, Map.of()).status()).isEqualTo(403);
        assertThat(ingress.twilio.postForm("/conversation-relay-callback", form, Signing.FORGED, Map.of()).status()).isEqualTo(403);
        Map<String, String> otherAccount = new HashMap<>(form);
        otherAccount.put("AccountSid", "AC99999999999999999999999999999999");
        assertThat(ingress.twilio.postForm("/conversation-relay-callback", otherAccount).status()).isEqualTo(403);
        // a valid one afterwards is the only event of that call
        assertThat(ingress.twilio.postForm("/conversation-relay-callback", form).status()).isEqualTo(200);
        assertThat(inbound.awaitValues(callSid, 1)).hasSize(1);
    }

    @Test
    void healthzAnswers() throws Exception {
        var client = io.vertx.ext.web.client.WebClient.create(vertx);
        try {
            assertThat(client.get(ingress.port(), "127.0.0.1", "/healthz").send().toCompletionStage()
                    .toCompletableFuture().get().statusCode()).isEqualTo(200);
        } finally {
            client.close();
        }
    }
}
