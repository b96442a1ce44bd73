package io.switchboard.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.IntelligenceEvent;
import io.switchboard.events.ci.IntelligenceParticipant;
import io.switchboard.events.ci.OperatorResult;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.localtwilio.TwilioWebhooks.Signing;
import io.switchboard.testkit.TopicTail;
import io.switchboard.topics.Topic;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code POST /ci-webhook}: Conversation Intelligence operator results through the real broker to tac.ci.v1. */
class IntelligenceWebhookTest {
    static final String CONFIGURATION = "intelligence_configuration_01test";
    static final String OBSERVATION_OPERATOR = "LY00000000000000000000000000000001";

    static Vertx vertx;
    static IngressFixture ingress;
    static TopicTail<IntelligenceEvent> ci;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        ci = new TopicTail<>(Topic.INTELLIGENCE);
        ingress = new IngressFixture(vertx, 0, Map.of(IngressConfig.CI_CONFIGURATION_ID, CONFIGURATION));
    }

    @AfterAll
    static void stop() throws Exception {
        ingress.close();
        ci.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    static String id(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "");
    }

    static String observationEvent(String configuration, String conversationId, String resultId) {
        return TwilioWebhooks.intelligenceEvent(configuration, conversationId, TwilioWebhooks.operatorResult(resultId,
                OBSERVATION_OPERATOR, "mem_profile_01cust", new JsonObject().put("observations",
                        new JsonArray().add(new JsonObject().put("content", "Prefers a call after 5pm")))));
    }

    @Test
    void aSignedEventIsOnTheTopicBeforeItsAnswer() {
        String conversationId = id("conv_conversation_");
        String resultId = id("intelligence_operatorresult_");
        var response = ingress.twilio.postJson("/ci-webhook", observationEvent(CONFIGURATION, conversationId, resultId));

        assertThat(response.status()).isEqualTo(200);
        assertThat(new JsonObject(response.body()).getMap()).containsEntry("success", true).containsEntry("skipped", false)
                .containsEntry("created_count", 1).containsEntry("error", null).containsKeys("event_type", "skip_reason");
        IntelligenceEvent event = ci.await(conversationId, 1).get(0).value();
        assertThat(event.getEventId()).startsWith("ci_");
        assertThat(event.getAccountId()).isEqualTo(TwilioWebhooks.ACCOUNT_SID);
        assertThat(event.getMemoryStoreId()).isEqualTo("mem_store_00000000000000000000000001");
        assertThat(event.getConfiguration().getId()).isEqualTo(CONFIGURATION);
        assertThat(event.getConfiguration().getFriendlyName()).isEqualTo("Customer support");
        assertThat(event.getConfiguration().getVersion()).isEqualTo("3");
        OperatorResult result = event.getOperatorResults().get(0);
        assertThat(result.getId()).isEqualTo(resultId);
        assertThat(result.getOperatorId()).isEqualTo(OBSERVATION_OPERATOR);
        assertThat(result.getOutputFormat()).isEqualTo("JSON");
        assertThat(new JsonObject(result.getResultJson()).getJsonObject("payload").getJsonArray("observations")
                .getJsonObject(0).getString("content")).isEqualTo("Prefers a call after 5pm");
        assertThat(result.getDateCreated()).isEqualTo("2026-11-24T10:20:00Z");
        assertThat(result.getTriggerOn()).isEqualTo("CONVERSATION_END");
        assertThat(result.getParticipants()).extracting(IntelligenceParticipant::getType, IntelligenceParticipant::getProfileId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("CUSTOMER", "mem_profile_01cust"),
                        org.assertj.core.groups.Tuple.tuple("AI_AGENT", null));
    }

    @Test
    void twilioRetryingTheSameResultsGivesTheSameEventId() {
        String conversationId = id("conv_conversation_");
        String body = observationEvent(CONFIGURATION, conversationId, id("intelligence_operatorresult_"));
        assertThat(ingress.twilio.postJson("/ci-webhook", body).status()).isEqualTo(200);
        assertThat(ingress.twilio.postJson("/ci-webhook", body).status()).isEqualTo(200);
        var events = ci.await(conversationId, 2);
        assertThat(events.get(0).value().getEventId()).isEqualTo(events.get(1).value().getEventId());
    }

    @Test
    void anotherConfigurationIsSkippedAndProducesNothing() throws Exception {
        String conversationId = id("conv_conversation_");
        var response = ingress.twilio.postJson("/ci-webhook",
                observationEvent("intelligence_configuration_other", conversationId, id("intelligence_operatorresult_")));

        assertThat(response.status()).isEqualTo(200);
        JsonObject answer = new JsonObject(response.body());
        assertThat(answer.getBoolean("success")).isTrue();
        assertThat(answer.getBoolean("skipped")).isTrue();
        assertThat(answer.getString("skip_reason")).contains("Configuration ID mismatch");
        assertThat(answer.getInteger("created_count")).isZero();
        // a later event of the same conversation is its first record: the skipped one never reached the topic
        String accepted = id("intelligence_operatorresult_");
        ingress.twilio.postJson("/ci-webhook", observationEvent(CONFIGURATION, conversationId, accepted));
        assertThat(ci.await(conversationId, 1)).extracting(r -> r.value().getOperatorResults().get(0).getId())
                .containsExactly(accepted);
    }

    @Test
    void badSignaturesGet403AndProduceNothing() {
        String conversationId = id("conv_conversation_");
        String body = observationEvent(CONFIGURATION, conversationId, id("intelligence_operatorresult_"));
        assertThat(ingress.twilio.postJson("/ci-webhook", body, Signing.NONE, Map.of()).status()).isEqualTo(403);
        assertThat(ingress.twilio.postJson("/ci-webhook", body, Signing.FORGED, Map.of()).status()).isEqualTo(403);
        String accepted = id("intelligence_operatorresult_");
        ingress.twilio.postJson("/ci-webhook", observationEvent(CONFIGURATION, conversationId, accepted));
        assertThat(ci.await(conversationId, 1)).extracting(r -> r.value().getOperatorResults().get(0).getId())
                .containsExactly(accepted);
    }

    @Test
    void malformedBodiesGet400WithTacsAnswer() {
        for (String body : new String[] {"{not json", "[]", "{}", "{\"a\":1,\"a\":2}",
                "{\"conversationId\":\"c1\",\"intelligenceConfiguration\":{\"id\":\"" + CONFIGURATION + "\"}}",
                "{\"conversationId\":\"c1\",\"intelligenceConfiguration\":{\"id\":\"" + CONFIGURATION
                        + "\"},\"operatorResults\":[{\"operator\":{\"id\":\"LY1\"}}]}",
                "{\"conversationId\":7,\"intelligenceConfiguration\":{\"id\":\"" + CONFIGURATION + "\"},\"operatorResults\":[]}"}) {
            var response = ingress.twilio.postJson("/ci-webhook", body);
            assertThat(response.status()).as(body).isEqualTo(400);
            assertThat(new JsonObject(response.body()).getBoolean("success")).as(body).isFalse();
        }
        assertThat(ingress.twilio.postRaw("/ci-webhook", "text/plain", "hello").status()).isEqualTo(400);
    }

    @Test
    void bodiesOverTheLimitGet413() {
        String body = TwilioWebhooks.intelligenceEvent(CONFIGURATION, id("conv_conversation_"),
                TwilioWebhooks.operatorResult(id("r"), OBSERVATION_OPERATOR, "mem_profile_01cust",
                        new JsonObject().put("summary", "x".repeat(70 * 1024))));
        assertThat(ingress.twilio.postJson("/ci-webhook", body).status()).isEqualTo(413);
    }

    @Test
    void withoutAConfigurationIdTheRouteIsNotServed() throws Exception {
        try (IngressFixture plain = new IngressFixture(vertx, 1, Map.of())) {
            String body = observationEvent(CONFIGURATION, id("conv_conversation_"), id("intelligence_operatorresult_"));
            assertThat(plain.twilio.postJson("/ci-webhook", body).status()).isEqualTo(404);
        }
    }
}
