package io.switchboard.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.localtwilio.TwilioSignatures;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.localtwilio.TwilioWebhooks.Signing;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code /twiml}, {@code /webhook}, {@code /ci-webhook} and {@code /twilio/call-events} are defaults: served where configured, signed there. */
class ConfiguredPathsTest {
    static final String TWIML = "/voice/incoming";
    static final String WEBHOOK = "/hooks/conversations";
    static final String CI = "/hooks/intelligence";
    static final String CALL_EVENTS = "/hooks/calls";
    static final String CONFIGURATION = "intelligence_configuration_01paths";
    static Vertx vertx;
    static IngressFixture ingress;
    static WebClient client;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        ingress = new IngressFixture(vertx, 0, Map.of("TWILIO_VOICE_TWIML_PATH", TWIML, "SWITCHBOARD_WEBHOOK_PATH", WEBHOOK,
                "SWITCHBOARD_CI_WEBHOOK_PATH", CI, "TWILIO_VOICE_CALL_EVENT_PATH", CALL_EVENTS,
                // TAC TypeScript's name, an alias of CONVERSATION_INTELLIGENCE_CONFIGURATION_ID
                "TWILIO_TAC_CI_CONFIGURATION_ID", CONFIGURATION));
        client = WebClient.create(vertx);
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        ingress.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private static Map<String, String> call() {
        return TwilioWebhooks.incomingCall("CA" + Long.toHexString(System.nanoTime()) + "0000000000000000");
    }

    private static Map<String, String> message() {
        String conversation = "CH" + Long.toHexString(System.nanoTime()) + "0000000000000000";
        return TwilioWebhooks.messageAdded(conversation, "IM" + Long.toHexString(System.nanoTime()) + "0000000000000000",
                TwilioWebhooks.CUSTOMER, "hello", "SMS");
    }

    @Test
    void signedRequestsOnTheConfiguredPathsAreServed() {
        assertThat(ingress.twilio.postForm(TWIML, call()).body()).contains("<ConversationRelay");
        assertThat(ingress.twilio.postForm(WEBHOOK, message()).status()).isEqualTo(200);
        String event = IntelligenceWebhookTest.observationEvent(CONFIGURATION, "conv_conversation_paths1",
                "intelligence_operatorresult_paths1");
        assertThat(ingress.twilio.postJson(CI, event).status()).isEqualTo(200);
        String callSid = call().get("CallSid");
        assertThat(ingress.twilio.postForm(CALL_EVENTS + "/status", TwilioWebhooks.callStatus(callSid, "ringing", 1))
                .status()).isEqualTo(204);
        assertThat(ingress.twilio.postForm(CALL_EVENTS + "/amd", TwilioWebhooks.amd(callSid, "human")).status())
                .isEqualTo(204);
        assertThat(ingress.twilio.postForm(CALL_EVENTS + "/recording",
                TwilioWebhooks.recording(callSid, "RE" + callSid.substring(2), "completed")).status()).isEqualTo(204);
    }

    @Test
    void unsignedOrForgedRequestsOnTheConfiguredPathsAreRefused() {
        for (Signing signing : new Signing[] {Signing.NONE, Signing.FORGED}) {
            assertThat(ingress.twilio.postForm(TWIML, call(), signing, Map.of()).status()).isEqualTo(403);
            assertThat(ingress.twilio.postForm(WEBHOOK, message(), signing, Map.of()).status()).isEqualTo(403);
            assertThat(ingress.twilio.postJson(CI, IntelligenceWebhookTest.observationEvent(CONFIGURATION,
                    "conv_conversation_paths2", "intelligence_operatorresult_paths2"), signing, Map.of()).status()).isEqualTo(403);
            assertThat(ingress.twilio.postForm(CALL_EVENTS + "/status", TwilioWebhooks.callStatus(call().get("CallSid"),
                    "ringing", 1), signing, Map.of()).status()).isEqualTo(403);
        }
    }

    @Test
    void aSignatureMadeForTheDefaultPathDoesNotPassOnTheConfiguredOne() throws Exception {
        Map<String, String> form = call();
        String signedForDefault = TwilioSignatures.sign(IngressFixture.TOKEN, "http://127.0.0.1:" + ingress.port() + "/twiml", form);
        int status = client.post(ingress.port(), "127.0.0.1", TWIML)
                .putHeader("Content-Type", "application/x-www-form-urlencoded")
                .putHeader("X-Twilio-Signature", signedForDefault)
                .sendBuffer(Buffer.buffer(TwilioWebhooks.encode(form)))
                .toCompletionStage().toCompletableFuture().get().statusCode();
        assertThat(status).isEqualTo(403);
    }

    @Test
    void theDefaultPathsAreNotServedAnyMore() {
        assertThat(ingress.twilio.postForm("/twiml", call()).status()).isEqualTo(404);
        assertThat(ingress.twilio.postForm("/webhook", message()).status()).isEqualTo(404);
        assertThat(ingress.twilio.postJson("/ci-webhook", "{}").status()).isEqualTo(404);
        assertThat(ingress.twilio.postForm("/twilio/call-events/status", TwilioWebhooks.callStatus(
                call().get("CallSid"), "ringing", 1)).status()).isEqualTo(404);
    }
}
