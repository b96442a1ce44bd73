package io.switchboard.ingress;

import io.switchboard.events.EndSession;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.Play;
import io.switchboard.events.Reply;
import io.switchboard.events.SendDigits;
import io.switchboard.events.SetLanguage;
import io.switchboard.events.Source;
import io.switchboard.events.inbound.CallEndReason;
import io.switchboard.events.inbound.CallEnded;
import io.switchboard.events.inbound.CallStarted;
import io.switchboard.events.inbound.Dtmf;
import io.switchboard.events.inbound.Interrupt;
import io.switchboard.events.inbound.Prompt;
import io.switchboard.events.inbound.RelayError;
import io.switchboard.ids.EventIds;
import io.switchboard.testkit.RelayClient;
import io.switchboard.testkit.TopicTail;
import io.switchboard.topics.Topic;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ConversationRelay through a real socket and the real broker, like Twilio would speak it. */
class RelaySocketTest {
    static Vertx vertx;
    static IngressFixture ingress;
    static TopicTail<InboundEvent> inbound;
    static IngressFixture.Egress egress;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        inbound = new TopicTail<>(Topic.INBOUND);
        egress = new IngressFixture.Egress();
        ingress = new IngressFixture(vertx, 0, Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        ingress.close();
        egress.close();
        inbound.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    static String newCallSid() {
        return "CA" + UUID.randomUUID().toString().replace("-", "");
    }

    static Reply token(String text, boolean last) {
        return Reply.newBuilder().setReplyId("r").setSequence(0).setText(text).setLast(last).build();
    }

    @Test
    void everyRelayFrameBecomesAnInboundEventInOrder() {
        String callSid = newCallSid();
        try (RelayClient call = RelayClient.connect(vertx, ingress.port(), IngressFixture.TOKEN)) {
            call.setup(callSid, Map.of("profileId", "mem_profile_1"))
                    .prompt("I want to change my", false)
                    .prompt("I want to change my delivery address.")
                    .interrupt("Sure, I can help you change", 1460)
                    .dtmf("1")
                    .error("Invalid message received");
        }
        List<InboundEvent> events = inbound.awaitValues(callSid, 7);
        assertThat(events).hasSize(7).allSatisfy(e -> assertThat(e.getSource()).isEqualTo(Source.RELAY));
        CallStarted started = (CallStarted) events.get(0).getPayload();
        assertThat(started.getCallSid()).isEqualTo(callSid);
        assertThat(started.getIngressInstance()).isZero();
        assertThat(started.getFrom()).isEqualTo("+15559876543");
        assertThat(started.getCustomParameters()).containsEntry("profileId", "mem_profile_1");
        String sessionId = started.getSessionId();
        assertThat(events.get(0).getEventId()).isEqualTo(EventIds.derived(sessionId, "frame", "0"));
        assertThat(events.get(1).getPayload()).isEqualTo(new Prompt("I want to change my", "en-US", false, 1L));
        assertThat(events.get(2).getPayload()).isEqualTo(new Prompt("I want to change my delivery address.", "en-US", true, 2L));
        assertThat(events.get(3).getPayload()).isEqualTo(new Interrupt("Sure, I can help you change", 1460L, 3L));
        assertThat(events.get(4).getPayload()).isEqualTo(new Dtmf("1"));
        assertThat(events.get(5).getPayload()).isEqualTo(new RelayError("Invalid message received"));
        CallEnded ended = (CallEnded) events.get(6).getPayload();
        assertThat(ended.getReason()).isEqualTo(CallEndReason.SOCKET_CLOSED);
        assertThat(ended.getCloseCode()).isEqualTo(1000);
        assertThat(events.get(6).getEventId()).isEqualTo(EventIds.derived(sessionId, "closed"));
    }

    @Test
    void malformedUnknownAndEarlyFramesProduceNoEventAndTheCallGoesOn() {
        String callSid = newCallSid();
        try (RelayClient call = RelayClient.connect(vertx, ingress.port(), IngressFixture.TOKEN)) {
            call.prompt("before setup");
            call.setup(callSid);
            call.sendRaw("{not json");
            call.send(new JsonObject().put("type", "txt").put("token", "x"));
            call.send(new JsonObject().put("type", "prompt").put("voicePrompt", 42));
            call.prompt("still here");
            List<InboundEvent> events = inbound.awaitValues(callSid, 2);
            assertThat(call.isClosed()).isFalse();
            assertThat(events).extracting(e -> e.getPayload().getClass().getSimpleName())
                    .containsExactly("CallStarted", "Prompt");
            assertThat(((Prompt) events.get(1).getPayload()).getVoicePrompt()).isEqualTo("still here");
        }
    }

    @Test
    void framesOnThisInstancesEgressPartitionReachTheCallsSocket() throws Exception {
        String callSid = newCallSid();
        try (RelayClient call = RelayClient.connect(vertx, ingress.port(), IngressFixture.TOKEN)) {
            call.setup(callSid);
            inbound.awaitValues(callSid, 1);
            egress.send(0, callSid, -1, Reply.newBuilder().setReplyId("r").setText("Sure, ").setLast(false).setInterruptible(true).build());
            egress.send(0, callSid, -1, token("I can help with that.", false));
            egress.send(0, callSid, -1, token("", true));
            egress.send(0, callSid, -1, new Play("https://example.com/hold-music.mp3", 1, true, true));
            egress.send(0, callSid, -1, new SendDigits("9www1234"));
            egress.send(0, callSid, -1, new SetLanguage("es-MX", "es-MX"));
            egress.send(0, callSid, -1, new EndSession("{\"reasonCode\":\"live-agent-handoff\"}"));
            List<JsonObject> frames = call.awaitFrames(7);
            assertThat(frames).containsExactly(
                    new JsonObject("{\"type\":\"text\",\"token\":\"Sure, \",\"last\":false,\"interruptible\":true}"),
                    new JsonObject("{\"type\":\"text\",\"token\":\"I can help with that.\",\"last\":false}"),
                    new JsonObject("{\"type\":\"text\",\"token\":\"\",\"last\":true}"),
                    new JsonObject("{\"type\":\"play\",\"source\":\"https://example.com/hold-music.mp3\",\"loop\":1,\"preemptible\":true,\"interruptible\":true}"),
                    new JsonObject("{\"type\":\"sendDigits\",\"digits\":\"9www1234\"}"),
                    new JsonObject("{\"type\":\"language\",\"ttsLanguage\":\"es-MX\",\"transcriptionLanguage\":\"es-MX\"}"),
                    new JsonObject("{\"type\":\"end\",\"handoffData\":\"{\\\"reasonCode\\\":\\\"live-agent-handoff\\\"}\"}"));
        }
    }

    @Test
    void afterAnInterruptStaleTokensAreDroppedAndTheOpenReplyIsClosedOnce() throws Exception {
        String callSid = newCallSid();
        try (RelayClient call = RelayClient.connect(vertx, ingress.port(), IngressFixture.TOKEN)) {
            call.setup(callSid).prompt("tell me a long story");          // turns 0, 1
            inbound.awaitValues(callSid, 2);
            egress.send(0, callSid, 1, token("Once upon ", false));
            call.awaitFrames(1);
            call.interrupt("Once upon", 300);                             // turn 2
            call.awaitFrames(2);
            egress.send(0, callSid, 1, token("a time", false));          // stale: turn 1 < 2
            call.prompt("something else");                                // turn 3
            inbound.awaitValues(callSid, 4);
            egress.send(0, callSid, 3, token("Sure.", true));
            call.awaitFrame(f -> "Sure.".equals(f.getString("token")));
            call.interrupt("", 0);                                        // nothing open: no closing token
            inbound.awaitValues(callSid, 5);
            egress.send(0, callSid, -1, new SendDigits("1"));
            call.awaitFrame(f -> "sendDigits".equals(f.getString("type")));
            assertThat(call.received()).containsExactly(
                    new JsonObject().put("type", "text").put("token", "Once upon ").put("last", false),
                    new JsonObject().put("type", "text").put("token", "").put("last", true),
                    new JsonObject().put("type", "text").put("token", "Sure.").put("last", true),
                    new JsonObject().put("type", "sendDigits").put("digits", "1"));
        }
    }

    @Test
    void aFrameWrittenAgainAfterAnOutboundRestartIsSpokenOnce() throws Exception {
        String callSid = newCallSid();
        try (RelayClient call = RelayClient.connect(vertx, ingress.port(), IngressFixture.TOKEN)) {
            call.setup(callSid);
            inbound.awaitValues(callSid, 1);
            egress.send(0, callSid, -1, token("Your order ships today.", true), "reply-1");
            egress.send(0, callSid, -1, token("Your order ships today.", true), "reply-1");
            egress.send(0, callSid, -1, new SendDigits("1"), "digits-1");
            call.awaitFrame(f -> "sendDigits".equals(f.getString("type")));
            assertThat(call.received("text")).hasSize(1);
            assertThat(call.spokenText()).isEqualTo("Your order ships today.");
        }
    }

    @Test
    void anUndecodableEgressRecordIsSkippedAndLaterFramesStillArrive() throws Exception {
        String callSid = newCallSid();
        try (RelayClient call = RelayClient.connect(vertx, ingress.port(), IngressFixture.TOKEN);
                var raw = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(
                        io.switchboard.testkit.TestKafka.clients().producerConfig("garbage"),
                        new org.apache.kafka.common.serialization.StringSerializer(),
                        new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            call.setup(callSid);
            inbound.awaitValues(callSid, 1);
            raw.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
                    io.switchboard.topics.Topic.VOICE_EGRESS.topicName(), 0, callSid, new byte[] {1, 2, 3})).get();
            egress.send(0, callSid, -1, token("still speaking", true));
            call.awaitFrame(f -> f.getBoolean("last", false));
            assertThat(call.spokenText()).isEqualTo("still speaking");
        }
    }

    @Test
    void aCallOnTheSecondInstanceGetsTheFramesOfItsPartition() throws Exception {
        try (IngressFixture second = new IngressFixture(vertx, 1, Map.of())) {
            String callSid = newCallSid();
            try (RelayClient call = RelayClient.connect(vertx, second.port(), IngressFixture.TOKEN)) {
                call.setup(callSid);
                CallStarted started = (CallStarted) inbound.awaitValues(callSid, 1).get(0).getPayload();
                assertThat(started.getIngressInstance()).isEqualTo(1);
                egress.send(0, callSid, -1, token("wrong instance", true));
                egress.send(1, callSid, -1, token("hello from partition 1", true));
                call.awaitFrame(f -> f.getBoolean("last", false));
                assertThat(call.spokenText()).isEqualTo("hello from partition 1");
            }
        }
    }

    @Test
    void inOrchestratedModeTheConversationIdComesFromTheCustomParameter() throws Exception {
        try (IngressFixture orchestrated = new IngressFixture(vertx, 2,
                // the Memory store given: ingress does not read the configuration from Twilio at start
                Map.of("TWILIO_CONVERSATION_CONFIGURATION_ID", "conv_configuration_1", "TWILIO_MEMORY_STORE_ID", "mem_store_1"))) {
            String callSid = newCallSid();
            String conversationId = "conv_conversation_" + callSid;
            try (RelayClient call = RelayClient.connect(vertx, orchestrated.port(), IngressFixture.TOKEN)) {
                call.setup(callSid, Map.of("conversationId", conversationId)).prompt("hello");
                List<InboundEvent> events = inbound.awaitValues(conversationId, 2);
                assertThat(((CallStarted) events.get(0).getPayload()).getIngressInstance()).isEqualTo(2);
                assertThat(events.get(1).getPayload()).isInstanceOf(Prompt.class);
                assertThat(inbound.values(callSid)).isEmpty();
            }
        }
    }

    @Test
    void upgradeWithoutOrWithAForgedSignatureIsRefused() {
        assertThatThrownBy(() -> RelayClient.connect(vertx, ingress.port(), "/ws", IngressFixture.TOKEN, RelayClient.Signing.NONE))
                .isInstanceOfSatisfying(RelayClient.Refused.class, e -> assertThat(e.status()).isEqualTo(403));
        assertThatThrownBy(() -> RelayClient.connect(vertx, ingress.port(), "/ws", IngressFixture.TOKEN, RelayClient.Signing.FORGED))
                .isInstanceOfSatisfying(RelayClient.Refused.class, e -> assertThat(e.status()).isEqualTo(403));
        assertThat(ingress.meters.get("switchboard.ingress.relay.upgrades.refused").tag("reason", "signature").counter().count()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void upgradeSignedWithQueryParametersAsParamsIsAccepted() {
        String callSid = newCallSid();
        try (RelayClient call = RelayClient.connect(vertx, ingress.port(), "/ws?tenant=acme&lang=en", IngressFixture.TOKEN,
                RelayClient.Signing.VALID)) {
            call.setup(callSid);
            assertThat(inbound.awaitValues(callSid, 1)).hasSize(1);
        }
    }
}
