package io.switchboard.examples.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.switchboard.config.InvalidConfigurationException;
import io.switchboard.events.AgentEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.SampleEvents;
import io.switchboard.events.Session;
import io.switchboard.testkit.AgentTraffic;
import io.switchboard.testkit.FakeOpenAi;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The LLM agent on the real broker, against a local OpenAI-compatible endpoint that streams slowly. */
class LlmAgentTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static RunningLlmAgent running;
    private static FakeOpenAi openAi;
    private static AgentTraffic traffic;

    @BeforeAll
    static void start() throws Exception {
        running = RunningLlmAgent.start("llm-", Map.of(LlmConfig.API_KEY, "sk-test", LlmConfig.MODEL, "test-model",
                LlmConfig.SYSTEM_PROMPT, "Be brief."));
        openAi = running.openAi;
        traffic = running.traffic;
    }

    @AfterAll
    static void stop() throws Exception {
        if (running != null) {
            running.close();
        }
    }

    @Test
    void voiceTokensReachTheOutboundTopicWhileTheModelIsStillGenerating() throws Exception {
        Session call = voice("llm-voice-" + UUID.randomUUID());
        FakeOpenAi.Script script = openAi.script("What are your opening hours?",
                new FakeOpenAi.Script(List.of("We", " open", " at", " nine."), 0, 2));
        AgentEvent prompt = message(call, "What are your opening hours?", 3);

        // the endpoint holds the rest of its answer: the first two tokens are already on their way to the caller
        await().atMost(WAIT).until(() -> texts(prompt).size() == 2);
        assertThat(texts(prompt)).containsExactly("We", " open");
        assertThat(script.written()).isEqualTo(2);
        script.release();

        await().atMost(WAIT).until(() -> replies(prompt).stream().anyMatch(Reply::getLast));
        assertThat(texts(prompt)).containsExactly("We", " open", " at", " nine.", "");

        FakeOpenAi.Request request = openAi.requests().stream()
                .filter(r -> r.lastUserMessage().equals("What are your opening hours?")).findFirst().orElseThrow();
        assertThat(request.authorization()).isEqualTo("Bearer sk-test");
        assertThat(request.body().getString("model")).isEqualTo("test-model");
        assertThat(request.body().getBoolean("stream")).isTrue();
        assertThat(request.body().getJsonArray("messages").getJsonObject(0).getString("content"))
                .startsWith("Be brief.").contains("phone call");
    }

    @Test
    void anInterruptHangsUpOnTheModelAndNoFurtherTokenIsSpoken() throws Exception {
        Session call = voice("llm-interrupt-" + UUID.randomUUID());
        List<String> story = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            story.add(i == 0 ? "Once" : " word" + i);
        }
        FakeOpenAi.Script script = openAi.script("Tell me a long story", new FakeOpenAi.Script(story, 100, -1));
        AgentEvent prompt = message(call, "Tell me a long story", 2);
        await().atMost(WAIT).until(() -> texts(prompt).size() >= 3);

        interrupt(call, "Once word1", 2);
        assertThat(script.awaitHangUp(Duration.ofSeconds(10))).as("the agent closed the HTTP stream").isTrue();
        int writtenBeforeHangUp = script.written();

        // a next turn of the same conversation is answered after the interrupted one: its reply comes last
        AgentEvent next = message(call, "Never mind, what time is it?", 3);
        await().atMost(WAIT).until(() -> replies(next).stream().anyMatch(Reply::getLast));
        assertThat(texts(prompt)).hasSizeLessThanOrEqualTo(writtenBeforeHangUp).hasSizeLessThan(story.size())
                .containsSequence("Once", " word1", " word2");
        assertThat(replies(prompt)).noneMatch(Reply::getLast);

        // what the caller heard before interrupting is the assistant's side of that turn
        JsonArray messages = openAi.requests().stream()
                .filter(r -> r.lastUserMessage().equals("Never mind, what time is it?")).findFirst().orElseThrow()
                .body().getJsonArray("messages");
        assertThat(messages.getJsonObject(messages.size() - 2))
                .isEqualTo(new JsonObject().put("role", "assistant").put("content", "Once word1"));
    }

    @Test
    void aTextConversationGetsWholeRepliesAndTheSecondTurnCarriesTheHistory() throws Exception {
        Session sms = Session.newBuilder(SampleEvents.smsSession()).setConversationId("llm-sms-" + UUID.randomUUID()).build();
        openAi.script("Hi, I am Ana", new FakeOpenAi.Script(List.of("Hello", " Ana", "!"), 20, -1));
        AgentEvent first = message(sms, "Hi, I am Ana", 0);
        await().atMost(WAIT).until(() -> !replies(first).isEmpty());
        assertThat(texts(first)).containsExactly("Hello Ana!");

        AgentEvent second = message(sms, "What is my name?", 0);
        await().atMost(WAIT).until(() -> !replies(second).isEmpty());
        assertThat(texts(second)).containsExactly("OK");
        JsonArray messages = openAi.requests().stream().filter(r -> r.lastUserMessage().equals("What is my name?"))
                .findFirst().orElseThrow().body().getJsonArray("messages");
        assertThat(messages.stream().map(m -> ((JsonObject) m).getString("role") + ": " + ((JsonObject) m).getString("content")))
                .containsExactly("system: Be brief.", "user: Hi, I am Ana", "assistant: Hello Ana!", "user: What is my name?");
    }

    @Test
    void theCustomersRecentMessagesFromMemoryAreInTheSystemPrompt() throws Exception {
        Session sms = Session.newBuilder(SampleEvents.smsSession()).setConversationId("llm-memory-" + UUID.randomUUID()).build();
        long now = System.currentTimeMillis();
        io.switchboard.events.Memory memory = io.switchboard.events.Memory.newBuilder()
                .setObservations(List.of(io.switchboard.events.Observation.newBuilder().setId("o1")
                        .setContent("Owns the model X blender").build()))
                .setCommunications(List.of(
                        io.switchboard.events.PastCommunication.newBuilder().setId("c2").setConversationId("conv_earlier")
                                .setAuthorAddress("+15550001111").setFromAgent(true).setChannel(io.switchboard.events.Channel.SMS)
                                .setText("A replacement ships on Friday.").setOccurredAtMillis(now - 60_000).build(),
                        io.switchboard.events.PastCommunication.newBuilder().setId("c1").setConversationId("conv_earlier")
                                .setAuthorAddress("+14155550100").setFromAgent(false).setChannel(io.switchboard.events.Channel.SMS)
                                .setText("My blender arrived broken").setOccurredAtMillis(now - 120_000).build()))
                .build();
        String inboundId = io.switchboard.ids.EventIds.random();
        // a MessageReady with its memory, as the router sends it with memory_mode always
        AgentEvent ready = traffic.send(sms, inboundId, io.switchboard.events.agent.MessageReady.newBuilder()
                .setMessageId(inboundId).setText("Has it shipped yet?").setTurn(0).setMemory(memory).build());
        await().atMost(WAIT).until(() -> !replies(ready).isEmpty());

        String system = openAi.requests().stream().filter(r -> r.lastUserMessage().equals("Has it shipped yet?"))
                .findFirst().orElseThrow().body().getJsonArray("messages").getJsonObject(0).getString("content");
        assertThat(system).startsWith("Be brief.\n\n# Customer Context")
                .contains("## Key Observations\nImportant notes about the customer from previous interactions:\n"
                        + "- Owns the model X blender")
                .endsWith("## Recent Message History\nRecent messages exchanged with this customer:\n"
                        + "User: My blender arrived broken\nAssistant: A replacement ships on Friday.");
    }

    @Test
    void startingWithoutTheEndpointOrModelNamesTheMissingVariable() {
        assertThatThrownBy(() -> LlmConfig.fromEnv(Map.of(LlmConfig.MODEL, "m")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("OPENAI_BASE_URL");
        assertThatThrownBy(() -> LlmConfig.fromEnv(Map.of(LlmConfig.BASE_URL, "http://localhost:11434/v1")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("OPENAI_MODEL");
        assertThatThrownBy(() -> LlmConfig.fromEnv(Map.of(LlmConfig.BASE_URL, "localhost:11434", LlmConfig.MODEL, "m")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("OPENAI_BASE_URL");
        assertThat(LlmConfig.fromEnv(Map.of(LlmConfig.BASE_URL, "http://localhost:11434/v1/", LlmConfig.MODEL, "m"))
                .chatCompletionsUri()).hasToString("http://localhost:11434/v1/chat/completions");
    }

    private static Session voice(String id) {
        return Session.newBuilder(SampleEvents.voiceSession()).setConversationId(id).setCallSid(id).build();
    }

    private static AgentEvent message(Session session, String text, long turn) {
        return traffic.message(session, text, turn);
    }

    private static AgentEvent interrupt(Session session, String utterance, long turn) {
        return traffic.interrupt(session, utterance, 300, turn);
    }

    private static List<Reply> replies(AgentEvent cause) {
        return traffic.replies(cause);
    }

    private static List<String> texts(AgentEvent cause) {
        return traffic.texts(cause);
    }
}
