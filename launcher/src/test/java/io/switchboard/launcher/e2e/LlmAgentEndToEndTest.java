package io.switchboard.launcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.launcher.Services;
import io.switchboard.launcher.dev.DevStack;
import io.switchboard.testkit.FakeOpenAi;
import io.switchboard.testkit.FakeOpenAi.Script;
import io.switchboard.testkit.FakeOpenAi.ToolCall;
import io.switchboard.testkit.FakeTwilioApi;
import io.switchboard.testkit.FakeTwilioApi.Recorded;
import io.switchboard.testkit.TwilioWebhooks;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code switchboard dev} with {@code OPENAI_BASE_URL} set — so the real LLM example agent runs — against a local
 * OpenAI-compatible model that asks for the handoff tool: the customer's message goes webhook → Kafka → router →
 * LlmAgent → model → SDK handoff → outbound-sender → Twilio's APIs (fake), as a handoff written by hand does.
 */
class LlmAgentEndToEndTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String AUTH_TOKEN = "llm-e2e-auth-token";
    private static final String HANDOFF_FLOW = "FW0000000000000000000000000000011m";
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dataDir;
    static FakeOpenAi model;
    static DevStack stack;
    static Vertx vertx;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        model = FakeOpenAi.start();
        vertx = Vertx.vertx();
        port = Pipeline.freePort();
        stack = DevStack.start(new DevStack.Settings(dataDir, 0, port), Map.of(
                "TWILIO_AUTH_TOKEN", AUTH_TOKEN,
                "TWILIO_PHONE_NUMBER", TwilioWebhooks.AGENT_NUMBER,
                "SWITCHBOARD_TOPIC_PARTITIONS", "2",
                "SWITCHBOARD_VOICE_EGRESS_PARTITIONS", "1",
                "TWILIO_STUDIO_HANDOFF_FLOW_SID", HANDOFF_FLOW,
                "OPENAI_BASE_URL", model.baseUrl(),
                "OPENAI_MODEL", "e2e-model"), Services.all());
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        if (vertx != null) {
            vertx.close();
        }
        if (model != null) {
            model.close();
        }
    }

    @Test
    void theLlmExampleCallsTheHandoffToolWhenTheModelAsksForItAndTheConversationGoesToTheStudioFlow() throws Exception {
        String conversation = "conv_conversation_" + UUID.randomUUID().toString().replace("-", "");
        model.script("Can I talk to a real person?", Script.calling(List.of("Sure, connecting you to a person."),
                new ToolCall("call_1", "handoff", new JsonObject().put("reason", "customer asked for a human"))));
        FakeTwilioApi twilio = stack.localTwilio().orElseThrow();

        try (TwilioWebhooks webhooks = new TwilioWebhooks(vertx, port, AUTH_TOKEN)) {
            assertThat(webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation,
                    "comm_" + UUID.randomUUID(), TwilioWebhooks.CUSTOMER, "Can I talk to a real person?")).status())
                    .isEqualTo(200);
        }

        List<Recorded> calls = twilio.awaitRequests(r -> r.path().contains(conversation)
                || r.path().equals("/v2/Flows/" + HANDOFF_FLOW + "/Executions"), 4, TIMEOUT);
        assertThat(calls).extracting(r -> r.method() + " " + r.path()).containsExactly(
                "POST /v2/Conversations/" + conversation + "/Actions",
                "PUT /v2/Conversations/" + conversation,
                "PATCH /v2/Conversations/" + conversation,
                "POST /v2/Flows/" + HANDOFF_FLOW + "/Executions");
        assertThat(calls.get(0).json().at("/payload/content/text").asText()).isEqualTo("Sure, connecting you to a person.");
        assertThat(calls.get(1).json().path("status").asText()).isEqualTo("INACTIVE");
        assertThat(JSON.readTree(calls.get(3).form().get("Parameters")).at("/HandoffData/attributes/reason").asText())
                .isEqualTo("customer asked for a human");
        assertThat(model.requestsFor("Can I talk to a real person?")).singleElement()
                .satisfies(r -> assertThat(r.toolNames()).contains("handoff"));
    }
}
