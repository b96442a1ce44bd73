package io.switchboard.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.agent.CiResult;
import io.switchboard.events.Memory;
import io.switchboard.events.Observation;
import io.switchboard.events.Summary;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.memory.MemoryClient;
import io.switchboard.memory.MemoryQuery;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A Conversation Intelligence webhook through {@code dev}: signed to {@code /ci-webhook}, on tac.ci.v1, to the
 * agent's {@code onIntelligence} and into the local memory, where a retrieval for the customer's profile finds the
 * observation and the summary.
 */
class IntelligenceEndToEndTest extends PipelineTest {
    static String id(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "");
    }

    @Test
    void operatorResultsReachTheAgentAndTheCustomersMemory() throws Exception {
        String conversationId = id("conv_conversation_");
        String profile = id("mem_profile_");
        String body = TwilioWebhooks.intelligenceEvent(Pipeline.CI_CONFIGURATION, conversationId,
                TwilioWebhooks.operatorResult(id("intelligence_operatorresult_"), Pipeline.CI_OBSERVATION_OPERATOR, profile,
                        new JsonObject().put("observations", new JsonArray()
                                .add(new JsonObject().put("content", "Is allergic to peanuts")))),
                TwilioWebhooks.operatorResult(id("intelligence_operatorresult_"), Pipeline.CI_SUMMARY_OPERATOR, profile,
                        new JsonObject().put("summary", "Asked for a nut-free menu.")));
        try (TwilioWebhooks webhooks = pipeline.webhooks()) {
            TwilioWebhooks.Response response = webhooks.postJson("/ci-webhook", body);
            assertThat(response.status()).isEqualTo(200);
            assertThat(new JsonObject(response.body()).getInteger("created_count")).isEqualTo(2);
        }

        await().atMost(TIMEOUT).until(() -> pipeline.intelligence.stream()
                .anyMatch(r -> r.conversationId().equals(conversationId)));
        CiResult result = pipeline.intelligence.stream().filter(r -> r.conversationId().equals(conversationId))
                .findFirst().orElseThrow();
        assertThat(result.configurationId()).isEqualTo(Pipeline.CI_CONFIGURATION);
        assertThat(result.operatorResults()).extracting(CiResult.OperatorResult::operatorId)
                .containsExactly(Pipeline.CI_OBSERVATION_OPERATOR, Pipeline.CI_SUMMARY_OPERATOR);

        MemoryClient memory = pipeline.memoryClient();
        MemoryQuery query = MemoryQuery.of(id("conv_conversation_"), profile, null, null, "");
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
            Memory m = memory.retrieve(query).get();
            return !m.getObservations().isEmpty() && !m.getSummaries().isEmpty();
        });
        Memory recalled = memory.retrieve(query).get();
        assertThat(recalled.getObservations()).extracting(Observation::getContent).containsExactly("Is allergic to peanuts");
        assertThat(recalled.getSummaries()).extracting(Summary::getContent).containsExactly("Asked for a nut-free menu.");
    }

    @Test
    void anotherConfigurationIsAnsweredSkippedAndGoesNowhere() throws Exception {
        String conversationId = id("conv_conversation_");
        try (TwilioWebhooks webhooks = pipeline.webhooks()) {
            TwilioWebhooks.Response response = webhooks.postJson("/ci-webhook", TwilioWebhooks.intelligenceEvent(
                    "intelligence_configuration_other", conversationId, TwilioWebhooks.operatorResult(id("r"),
                            Pipeline.CI_OBSERVATION_OPERATOR, id("mem_profile_"), new JsonObject().put("summary", "x"))));
            assertThat(response.status()).isEqualTo(200);
            assertThat(new JsonObject(response.body()).getBoolean("skipped")).isTrue();
            // then one of this configuration, for the same conversation (same partition, so in order after the first)
            webhooks.postJson("/ci-webhook", TwilioWebhooks.intelligenceEvent(Pipeline.CI_CONFIGURATION, conversationId,
                    TwilioWebhooks.operatorResult(id("r"), "LY_unrouted", id("mem_profile_"), new JsonObject())));
        }
        await().atMost(TIMEOUT).until(() -> pipeline.intelligence.stream()
                .anyMatch(r -> r.conversationId().equals(conversationId)));
        assertThat(pipeline.intelligence.stream().filter(r -> r.conversationId().equals(conversationId)))
                .extracting(CiResult::configurationId).containsExactly(Pipeline.CI_CONFIGURATION);
    }
}
