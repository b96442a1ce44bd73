package io.switchboard.examples.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.switchboard.config.InvalidConfigurationException;
import io.switchboard.events.AgentEvent;
import io.switchboard.events.Handoff;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.SampleEvents;
import io.switchboard.events.Session;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.testkit.AgentTraffic;
import io.switchboard.testkit.FakeOpenAi;
import io.switchboard.testkit.FakeOpenAi.Script;
import io.switchboard.testkit.FakeOpenAi.ToolCall;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The LLM agent's function calls on the real broker: a local OpenAI-compatible endpoint scripts the model's
 * {@code tool_calls} (streamed in pieces), the fake Twilio API serves the Knowledge search.
 */
class LlmAgentToolsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String KNOWLEDGE_BASE = "know_base_llm";
    private static final String CHUNKS = "{\"chunks\":["
            + "{\"content\":\"Returns are accepted within 30 days\",\"knowledgeId\":\"know_1\",\"createdAt\":\"2026-01-01T00:00:00Z\",\"score\":0.93},"
            + "{\"content\":\"Refunds take 5 business days\",\"knowledgeId\":\"know_2\",\"createdAt\":\"2026-01-02T00:00:00Z\",\"score\":0.71}]}";
    private static FakeTwilioApi twilio;
    private static RunningLlmAgent running;
    private static FakeOpenAi openAi;
    private static AgentTraffic traffic;

    @BeforeAll
    static void start() throws Exception {
        twilio = FakeTwilioApi.start();
        twilio.respondAlways("/v2/KnowledgeBases/" + KNOWLEDGE_BASE + "/Search$",
                new FakeTwilioApi.Reply(200, Map.of("Content-Type", "application/json"), CHUNKS, Duration.ZERO));
        running = RunningLlmAgent.start("llm-tools-", Map.of(LlmConfig.MODEL, "test-model",
                LlmConfig.MAX_TOOL_ROUNDS, "2", "TWILIO_KNOWLEDGE_BASE_ID", KNOWLEDGE_BASE, "TWILIO_API_KEY", "SKkey",
                "TWILIO_API_SECRET", "secret", "TWILIO_API_BASE_URL", twilio.baseUrl(),
                "TWILIO_STUDIO_HANDOFF_FLOW_SID", "FW0000000000000000000000000000000a"));
        openAi = running.openAi;
        traffic = running.traffic;
    }

    @AfterAll
    static void stop() throws Exception {
        if (running != null) {
            running.close();
        }
        if (twilio != null) {
            twilio.close();
        }
    }

    @Test
    void theLlmExampleCallsTheHandoffToolWhenTheModelAsksForIt() {
        Session sms = sms("llm-handoff-");
        openAi.script("I want to talk to a person", Script.calling(List.of("Connecting", " you now."),
                new ToolCall("call_h1", "handoff", new JsonObject().put("reason", "customer asked for a human"))));

        AgentEvent message = traffic.message(sms, "I want to talk to a person", 0);

        // the goodbye first, then the handoff with the model's reason: what outbound-sender turns into TAC's calls
        await().atMost(WAIT).until(() -> traffic.outboundFor(message).size() == 2);
        List<OutboundEvent> out = traffic.outboundFor(message);
        assertThat(out.get(0).getPayload()).isInstanceOfSatisfying(Reply.class,
                r -> assertThat(r.getText()).isEqualTo("Connecting you now."));
        assertThat(out.get(1).getPayload()).isInstanceOfSatisfying(Handoff.class,
                h -> assertThat(h.getReason()).isEqualTo("customer asked for a human"));
        // the model was offered the handoff and knowledge tools (no memory service configured) and not asked again
        List<FakeOpenAi.Request> requests = openAi.requestsFor("I want to talk to a person");
        assertThat(requests).singleElement()
                .satisfies(r -> assertThat(r.toolNames()).containsExactly("handoff", "search_knowledge"));
    }

    @Test
    void aKnowledgeSearchCallReturnsTheKnowledgeApisChunksToTheModel() {
        Session sms = sms("llm-knowledge-");
        openAi.script("What is your return policy?",
                Script.calling(List.of(), new ToolCall("call_k1", "search_knowledge", new JsonObject().put("query", "return policy"))),
                new Script(List.of("You can return", " items within 30 days."), 0, -1));

        AgentEvent message = traffic.message(sms, "What is your return policy?", 0);

        await().atMost(WAIT).until(() -> !traffic.replies(message).isEmpty());
        assertThat(traffic.texts(message)).containsExactly("You can return items within 30 days.");
        assertThat(twilio.requests("/v2/KnowledgeBases/" + KNOWLEDGE_BASE + "/Search$"))
                .anySatisfy(r -> assertThat(r.json().path("query").asText()).isEqualTo("return policy"));

        List<FakeOpenAi.Request> requests = openAi.requestsFor("What is your return policy?");
        assertThat(requests).hasSize(2);
        JsonArray second = requests.get(1).messages();
        JsonObject asked = second.getJsonObject(second.size() - 2);
        assertThat(asked.getString("role")).isEqualTo("assistant");
        assertThat(asked.getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function"))
                .isEqualTo(new JsonObject().put("name", "search_knowledge").put("arguments", "{\"query\":\"return policy\"}"));
        JsonObject result = second.getJsonObject(second.size() - 1);
        assertThat(result.getString("role")).isEqualTo("tool");
        assertThat(result.getString("tool_call_id")).isEqualTo("call_k1");
        JsonArray chunks = new JsonObject(result.getString("content")).getJsonArray("chunks");
        assertThat(chunks.stream().map(c -> ((JsonObject) c).getString("content")))
                .containsExactly("Returns are accepted within 30 days", "Refunds take 5 business days");
    }

    @Test
    void aModelThatKeepsCallingToolsIsMadeToAnswerAfterTheRoundLimit() {
        Session sms = sms("llm-rounds-");
        openAi.script("Search forever", Script.calling(List.of("Still looking."),
                new ToolCall("call_r", "search_knowledge", new JsonObject().put("query", "forever"))));

        AgentEvent message = traffic.message(sms, "Search forever", 0);

        await().atMost(WAIT).until(() -> !traffic.replies(message).isEmpty());
        // LLM_MAX_TOOL_ROUNDS=2: two rounds with tools, then one without, whose tool calls are not run
        List<FakeOpenAi.Request> requests = openAi.requestsFor("Search forever");
        assertThat(requests).extracting(r -> r.toolNames().isEmpty()).containsExactly(false, false, true);
        assertThat(twilio.requests("/Search$")).filteredOn(r -> r.json().path("query").asText().equals("forever")).hasSize(2);
        assertThat(traffic.replies(message)).singleElement().satisfies(r -> {
            assertThat(r.getLast()).isTrue();
            assertThat(r.getText()).isEqualTo("Still looking.Still looking.Still looking.");
        });
    }

    @Test
    void aKnowledgeBaseWithoutCredentialsFailsTheStartNamingIt() {
        assertThatThrownBy(() -> LlmConfig.fromEnv(Map.of(LlmConfig.BASE_URL, "http://localhost:11434/v1",
                LlmConfig.MODEL, "m", "TWILIO_KNOWLEDGE_BASE_ID", "know_base_1")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("TWILIO_KNOWLEDGE_BASE_ID");
    }

    private static Session sms(String prefix) {
        return Session.newBuilder(SampleEvents.smsSession()).setConversationId(prefix + UUID.randomUUID()).build();
    }
}
