package io.switchboard.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.localtwilio.FakeTwilioApi.Recorded;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.testkit.FakeOpenAi.Script;
import io.switchboard.testkit.FakeOpenAi.ToolCall;
import io.switchboard.testkit.FakeOpenAi;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The LLM example agent (examples' {@code LlmAgent}, answering the e2e agent's "llm …" messages) against a local
 * OpenAI-compatible model that asks for the handoff tool: the customer's message goes webhook → Kafka → router →
 * LlmAgent → model → the SDK's handoff → outbound-sender → Twilio's APIs (fake), as a handoff written by hand does.
 */
class LlmAgentEndToEndTest extends PipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static FakeOpenAi model;

    @BeforeAll
    static void start() throws Exception {
        model = pipeline.model;
    }

    @Test
    void theLlmExampleCallsTheHandoffToolWhenTheModelAsksForItAndTheConversationGoesToTheStudioFlow() throws Exception {
        String conversation = "conv_conversation_" + UUID.randomUUID().toString().replace("-", "");
        String text = "llm can I talk to a real person? " + conversation;
        model.script(text, Script.calling(List.of("Sure, connecting you to a person."),
                new ToolCall("call_1", "handoff", new JsonObject().put("reason", "customer asked for a human"))));

        try (TwilioWebhooks webhooks = pipeline.webhooks()) {
            assertThat(webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation,
                    "comm_" + UUID.randomUUID(), TwilioWebhooks.CUSTOMER, text)).status()).isEqualTo(200);
        }

        List<Recorded> calls = awaitMessagingHandoff(conversation);
        assertThat(calls.get(0).json().at("/payload/content/text").asText()).isEqualTo("Sure, connecting you to a person.");
        assertThat(calls.get(2).json().path("status").asText()).isEqualTo("INACTIVE");
        assertThat(JSON.readTree(calls.get(1).form().get("Parameters")).at("/HandoffData/attributes/reason").asText())
                .isEqualTo("customer asked for a human");
        assertThat(model.requestsFor(text)).singleElement()
                .satisfies(r -> assertThat(r.toolNames()).contains("handoff"));
    }
}
