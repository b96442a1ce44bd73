package io.switchboard.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.ingress.IngressConfig;
import io.switchboard.ingress.IngressService;
import io.switchboard.localtwilio.FakeTwilioApi.Recorded;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.testkit.RelayClient;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Only the channels a deployment registers (issue 20 item 6): an ingress with {@code SWITCHBOARD_CHANNELS=SMS} on the
 * shared pipeline answers an SMS, acknowledges a WhatsApp message without it ever reaching the agent, and serves no
 * voice route.
 */
class RegisteredChannelsEndToEndTest extends PipelineTest {
    private static IngressService smsOnly;

    @BeforeAll
    static void startSmsOnlyIngress() throws Exception {
        Map<String, String> env = new HashMap<>(pipeline.stack.env());
        env.put("INGRESS_INSTANCE_ID", "1"); // holds no socket: no voice
        env.put("PORT", "0");
        env.put(IngressConfig.CHANNELS, "SMS");
        smsOnly = new IngressService(IngressConfig.fromEnv(env), pipeline.vertx, new SimpleMeterRegistry());
        smsOnly.start();
    }

    @AfterAll
    static void stop() {
        smsOnly.close();
    }

    private static String id(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "");
    }

    private static Predicate<Recorded> about(String conversation) {
        return r -> r.path().contains("/" + conversation + "/");
    }

    @Test
    void aRegisteredChannelIsAnsweredAndAnUnregisteredOneNeverReachesTheAgent() throws Exception {
        String sms = "conv_conversation_" + id("");
        String whatsapp = "conv_conversation_" + id("");
        String whatsappComm = id("comm_");
        try (TwilioWebhooks webhooks = new TwilioWebhooks(pipeline.vertx, smsOnly.port(), Pipeline.AUTH_TOKEN)) {
            assertThat(webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated("WHATSAPP", whatsapp,
                    whatsappComm, "whatsapp:" + TwilioWebhooks.CUSTOMER, "hello from whatsapp")).status())
                    .as("acknowledged, as TAC acknowledges a channel it has not registered").isEqualTo(200);
            assertThat(webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", sms, id("comm_"),
                    TwilioWebhooks.CUSTOMER, "hello from sms")).status()).isEqualTo(200);

            Recorded answer = twilio.awaitRequests(about(sms), 1, TIMEOUT).get(0);
            assertThat(answer.json().at("/payload/content/text").asText()).isEqualTo("You said: hello from sms");
            // the SMS sent after the WhatsApp message is answered: had the WhatsApp one been published, it would be too
            Thread.sleep(1_000);
            assertThat(pipeline.conversationOf).doesNotContainKey(whatsappComm);
            assertThat(twilio.requests().stream().filter(about(whatsapp))).isEmpty();

            Map<String, String> call = TwilioWebhooks.incomingCall(id("CA"));
            assertThat(webhooks.postForm("/twiml", call).status()).as("no voice channel: no TwiML").isEqualTo(404);
            assertThat(webhooks.postForm("/twilio/call-events/status",
                    TwilioWebhooks.callStatus(call.get("CallSid"), "ringing", 1)).status()).isEqualTo(404);
        }
        try {
            RelayClient.connect(pipeline.vertx, smsOnly.port(), Pipeline.AUTH_TOKEN).close();
            throw new AssertionError("a relay socket was accepted without the voice channel");
        } catch (RelayClient.Refused refused) {
            assertThat(refused.status()).isEqualTo(404);
        }
    }
}
