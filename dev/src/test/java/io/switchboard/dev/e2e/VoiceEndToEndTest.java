package io.switchboard.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.events.agent.EndReason;
import io.switchboard.ingress.IngressConfig;
import io.switchboard.ingress.IngressService;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.testkit.RelayClient;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A phone call through the whole pipeline: relay socket → Kafka → router → agent → outbound → egress → socket. */
class VoiceEndToEndTest extends PipelineTest {
    private static String newCallSid() {
        return "CA" + UUID.randomUUID().toString().replace("-", "");
    }

    private RelayClient call() {
        return RelayClient.connect(pipeline.vertx, pipeline.port, Pipeline.AUTH_TOKEN);
    }

    private static JsonObject lastToken(RelayClient call) {
        return call.awaitFrame(f -> "text".equals(f.getString("type")) && f.getBoolean("last", false));
    }

    @Test
    void aPromptIsAnsweredWithStreamedTokensEndingWithLast() {
        try (RelayClient call = call()) {
            call.setup(newCallSid()).prompt("hello");
            lastToken(call);
            List<JsonObject> text = call.received("text");
            assertThat(call.spokenText()).isEqualTo("You said: hello");
            assertThat(text).hasSizeGreaterThan(2);
            assertThat(text.subList(0, text.size() - 1)).allSatisfy(f -> assertThat(f.getBoolean("last")).isFalse());
        }
    }

    @Test
    void streamedTokensReachTheSocketBeforeTheHandlerFinishes() {
        try (RelayClient call = call()) {
            String callSid = newCallSid();
            call.setup(callSid).prompt("slow story please");
            call.awaitFrame(f -> f.getString("token", "").startsWith("word1"));
            // The handler streams for ten seconds; the reply has not ended while its tokens are already spoken.
            assertThat(call.received("text")).noneSatisfy(f -> assertThat(f.getBoolean("last")).isTrue());
            call.interrupt("word0 word1", 400);
            await().atMost(TIMEOUT).until(() -> pipeline.cancelledReplies.contains(callSid));
        }
    }

    @Test
    void anInterruptCancelsTheHandlerAndNoStaleTokenFollows() throws Exception {
        try (RelayClient call = call()) {
            String callSid = newCallSid();
            call.setup(callSid).prompt("slow answer");
            call.awaitFrame(f -> f.getString("token", "").startsWith("word2"));
            call.interrupt("word0 word1 word2", 1250);

            await().atMost(TIMEOUT).until(() -> pipeline.cancelledReplies.contains(callSid));
            await().atMost(TIMEOUT).until(() -> pipeline.interrupts.stream()
                    .anyMatch(i -> i.utteranceUntilInterrupt().equals("word0 word1 word2")));
            assertThat(pipeline.interrupts).anySatisfy(i -> {
                assertThat(i.utteranceUntilInterrupt()).isEqualTo("word0 word1 word2");
                assertThat(i.durationUntilInterruptMs()).isEqualTo(1250);
            });
            // The open reply is closed by exactly one empty last token, and nothing of it comes after.
            JsonObject closing = lastToken(call);
            assertThat(closing.getString("token")).isEmpty();
            int framesAfterInterrupt = call.received().size();
            Thread.sleep(1_000);
            assertThat(call.received()).hasSize(framesAfterInterrupt);

            call.prompt("are you there");
            call.awaitFrame(f -> f.getString("token", "").contains("there"));
            assertThat(call.spokenText()).endsWith("You said: are you there");
        }
    }

    @Test
    void dtmfReachesTheAgentAndItsAnswerIsSpoken() {
        try (RelayClient call = call()) {
            call.setup(newCallSid()).dtmf("7");
            await().atMost(TIMEOUT).until(() -> pipeline.digits.contains("7"));
            lastToken(call);
            assertThat(call.spokenText()).isEqualTo("You pressed 7");
        }
    }

    @Test
    void aHandoffEndsTheSessionAndTheCallbackEndsTheConversationOnce() {
        String callSid = newCallSid();
        try (RelayClient call = call(); TwilioWebhooks webhooks = pipeline.webhooks()) {
            call.setup(callSid).prompt("transfer me");
            JsonObject end = call.awaitFrame(f -> "end".equals(f.getString("type")));
            String handoffData = end.getString("handoffData");
            assertThat(new JsonObject(handoffData).getString("queue")).isEqualTo("support");

            // Twilio closes the socket, then calls the action URL with the handoff data.
            call.close();
            TwilioWebhooks.Response callback = webhooks.postForm("/conversation-relay-callback",
                    TwilioWebhooks.relayCallback(callSid, "ended", handoffData));
            assertThat(callback.status()).isEqualTo(200);
            assertThat(callback.body()).contains("<Response");

            await().atMost(TIMEOUT).until(() -> !pipeline.endedFor(callSid).isEmpty());
            assertThat(pipeline.endedFor(callSid)).singleElement().satisfies(e -> {
                assertThat(e.ended().reason()).isEqualTo(EndReason.CALL_ENDED);
                assertThat(e.ended().handoffData()).isEqualTo(handoffData);
            });
        }
    }

    @Test
    void aCallHeldByASecondIngressInstanceGetsItsRepliesOnItsOwnSocket() throws Exception {
        Map<String, String> env = new HashMap<>(pipeline.stack.env());
        env.put("INGRESS_INSTANCE_ID", "1");
        env.put("PORT", "0");
        IngressService second = new IngressService(IngressConfig.fromEnv(env), pipeline.vertx,
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        second.start();
        try (RelayClient call = RelayClient.connect(pipeline.vertx, second.port(), Pipeline.AUTH_TOKEN)) {
            call.setup(newCallSid()).prompt("which instance");
            lastToken(call);
            assertThat(call.spokenText()).isEqualTo("You said: which instance");
        } finally {
            second.close();
        }
    }

    @Test
    void aMissingOrForgedSignatureIsRefusedOnTheSocketAndTheTwimlWebhook() {
        for (RelayClient.Signing signing : List.of(RelayClient.Signing.NONE, RelayClient.Signing.FORGED)) {
            try {
                RelayClient.connect(pipeline.vertx, pipeline.port, "/ws", Pipeline.AUTH_TOKEN, signing).close();
                throw new AssertionError("upgrade accepted with " + signing + " signature");
            } catch (RelayClient.Refused refused) {
                assertThat(refused.status()).isEqualTo(403);
            }
        }
        try (TwilioWebhooks webhooks = pipeline.webhooks()) {
            Map<String, String> form = TwilioWebhooks.incomingCall(newCallSid());
            assertThat(webhooks.postForm("/twiml", form, TwilioWebhooks.Signing.FORGED, Map.of()).status()).isEqualTo(403);
            TwilioWebhooks.Response twiml = webhooks.postForm("/twiml", form);
            assertThat(twiml.status()).isEqualTo(200);
            // the shared pipeline has a Studio handoff flow: it is the <Connect action> (TAC)
            assertThat(twiml.body()).contains("<ConversationRelay").contains("<Connect action=\"https://webhooks.twilio.com/v1/Accounts/"
                    + TwilioWebhooks.ACCOUNT_SID + "/Flows/" + Pipeline.HANDOFF_FLOW + "?Trigger=incomingCall\"");
        }
    }
}
