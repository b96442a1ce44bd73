package io.switchboard.launcher.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.events.AgentEvent;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.Session;
import io.switchboard.events.agent.MessageReady;
import io.switchboard.ids.EventIds;
import io.switchboard.launcher.tools.ToolsFixture.Run;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.outbound.OutboundService;
import io.switchboard.topics.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Shadow replay of 100 recorded conversations (80 SMS, 20 voice) into a second agent, with the real outbound-sender
 * running on the live topics against the fake Twilio API: the report pairs every turn, and nothing the shadow agent
 * says reaches Twilio, the voice egress topic or the live outbound topic.
 */
class ShadowReplayTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SHADOW_NAME = "shadow" + EventIds.random().substring(0, 8);
    private static final String SENDER_GROUP = "tools-shadow-sender-" + EventIds.random();
    private static FakeTwilioApi twilio;
    private static OutboundService sender;

    @BeforeAll
    static void start() throws Exception {
        twilio = FakeTwilioApi.start();
        sender = ToolsFixture.outboundSender(twilio, SENDER_GROUP);
    }

    @AfterAll
    static void stop() {
        if (sender != null) {
            sender.close();
        }
        twilio.close();
    }

    @Test
    void shadowRunOfHundredConversationsReportsEveryTurnAndReachesNoCustomer() throws Exception {
        Instant since = Instant.now().minusMillis(1);
        String tag = EventIds.random().replace("-", "").substring(0, 10);
        Map<String, String> prompts = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            boolean voice = i % 5 == 0;
            String id = voice ? "CA" + tag + i : "CH" + tag + i;
            Session session = voice ? ToolsFixture.voiceSession(id, id, 0).build() : ToolsFixture.smsSession(id).build();
            String prompt = "question " + i + (i % 10 == 1 ? " #same" : "");
            prompts.put(id, prompt);
            String agentEventId = EventIds.random();
            ToolsFixture.produce(Topic.AGENT, id, AgentEvent.newBuilder().setEventId(agentEventId).setConversationId(id)
                    .setOccurredAt(Instant.now()).setTraceId(EventIds.newTraceId()).setSession(session)
                    .setPayload(MessageReady.newBuilder().setMessageId("m" + i).setText(prompt)
                            .setTurn(voice ? 1 : -1).build()).build(), null);
            ToolsFixture.produce(Topic.OUTBOUND, id, OutboundEvent.newBuilder()
                    .setEventId(EventIds.derived(agentEventId, "out", "0")).setConversationId(id)
                    .setOccurredAt(Instant.now()).setTraceId(EventIds.newTraceId()).setInReplyTo(agentEventId)
                    .setTurn(voice ? 1 : -1).setSession(session)
                    .setPayload(Reply.newBuilder().setReplyId(EventIds.derived(agentEventId, "reply"))
                            .setText("Answer to " + prompt).build()).build(), null);
        }
        // The live path works: the originals reach the fake Twilio API.
        twilio.awaitRequests(r -> r.path().contains("CH" + tag), 80, WAIT);

        try (TestAgent shadowAgent = new TestAgent(ToolsFixture.CLIENTS, "agent-v2-" + tag,
                ReplayCommand.shadowAgentTopic(SHADOW_NAME), ReplayCommand.shadowOutboundTopic(SHADOW_NAME),
                prompt -> prompt.endsWith("#same") ? "Answer to " + prompt : "Shadow answer to " + prompt,
                key -> key.contains(tag))) {
            Run run = ToolsFixture.run("replay", "--shadow", "--shadow-name", SHADOW_NAME, "--since", since.toString(),
                    "--format", "json", "--wait", "PT60S");

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.err()).contains("re-drove 100 agent event(s)");
            JsonNode report = JSON.readTree(run.out());
            JsonNode summary = report.get("summary");
            assertThat(summary.get("turns").asInt()).isEqualTo(100);
            assertThat(summary.get("missingShadow").asInt()).isZero();
            assertThat(summary.get("missingOriginal").asInt()).isZero();
            assertThat(summary.get("same").asInt()).isEqualTo(10);
            assertThat(summary.get("different").asInt()).isEqualTo(90);
            for (JsonNode turn : report.get("turns")) {
                String id = turn.get("conversationId").asText();
                String prompt = prompts.get(id);
                assertThat(turn.get("prompt").asText()).isEqualTo(prompt);
                assertThat(turn.get("original").get("text").asText()).isEqualTo("Answer to " + prompt);
                assertThat(turn.get("original").get("lastMs").asLong()).isGreaterThanOrEqualTo(0);
                assertThat(turn.get("shadow").get("lastMs").asLong()).isGreaterThanOrEqualTo(0);
                if (prompt.endsWith("#same")) {
                    assertThat(turn.get("same").asBoolean()).isTrue();
                } else {
                    // Voice shadow replies were streamed in two tokens: joined before the diff.
                    assertThat(turn.get("shadow").get("text").asText()).isEqualTo("Shadow answer to " + prompt);
                    assertThat(turn.get("diff").asText()).isEqualTo("[-Answer-] {+Shadow answer+} to " + prompt);
                }
            }

            // One conversation, as text: its partition only, one turn side by side.
            String one = "CA" + tag + "0";
            Run single = ToolsFixture.run("replay", "--shadow", "--shadow-name", SHADOW_NAME, "--conversation", one,
                    "--wait", "PT60S");
            assertThat(single.exitCode()).as(single.err()).isZero();
            assertThat(single.err()).contains("re-drove 1 agent event(s)");
            assertThat(single.out()).contains(one + "  turn 1  VOICE  prompt: \"question 0\"")
                    .containsPattern("original \\(\\d+ ms\\) \"Answer to question 0\"")
                    .containsPattern("shadow   \\(\\d+ ms\\) \"Shadow answer to question 0\"")
                    .contains("diff: [-Answer-] {+Shadow answer+} to question 0")
                    .contains("turns 1, same 0, different 1, no shadow reply 0, no original reply 0");
        }

        await().atMost(WAIT).until(() -> ToolsFixture.caughtUp(SENDER_GROUP, Topic.OUTBOUND));
        assertThat(twilio.requests()).noneMatch(r -> r.body() != null && r.body().contains("Shadow answer"));
        assertThat(twilio.requests(".*CH" + tag + ".*")).hasSize(80);
        assertThat(ToolsFixture.topicContains(Topic.VOICE_EGRESS.topicName(), "Shadow answer")).isFalse();
        assertThat(ToolsFixture.topicContains(Topic.VOICE_EGRESS.topicName(), "Answer to question 0")).isTrue();
        assertThat(ToolsFixture.topicContains(Topic.OUTBOUND.topicName(), "Shadow answer")).isFalse();
        assertThat(ToolsFixture.topicContains(ReplayCommand.shadowOutboundTopic(SHADOW_NAME), "Shadow answer")).isTrue();
    }
}
