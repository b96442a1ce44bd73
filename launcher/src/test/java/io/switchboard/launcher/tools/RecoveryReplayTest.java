package io.switchboard.launcher.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.events.AgentEvent;
import io.switchboard.events.agent.MessageReady;
import io.switchboard.ids.EventIds;
import io.switchboard.launcher.tools.ToolsFixture.Run;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.localtwilio.FakeTwilioApi.Recorded;
import io.switchboard.outbound.OutboundService;
import io.switchboard.topics.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Recovery re-drive: an agent swallowed half a window of messages (an outage); replaying the whole window into
 * tac.agent.v1 makes it answer again, and the real outbound-sender sends each missing reply once and drops the
 * replies it had already sent (same deterministic ids), so every customer gets exactly one message.
 */
class RecoveryReplayTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SENDER_GROUP = "tools-recovery-sender-" + EventIds.random();
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

    private static void message(String conversationId, int i) {
        ToolsFixture.produce(Topic.AGENT, conversationId, AgentEvent.newBuilder().setEventId(EventIds.random())
                .setConversationId(conversationId).setOccurredAt(Instant.now()).setTraceId(EventIds.newTraceId())
                .setSession(ToolsFixture.smsSession(conversationId).build())
                .setPayload(MessageReady.newBuilder().setMessageId("m" + i).setText("message " + i).setTurn(-1).build())
                .build(), null);
    }

    private static List<Recorded> sentTo(String conversationId) {
        return twilio.requests(".*/Conversations/" + conversationId + "/Messages");
    }

    @Test
    void reDrivingAFailedWindowDeliversEachMissingReplyOnceAndNoDuplicate() throws Exception {
        String tag = "CH" + EventIds.random().replace("-", "").substring(0, 12) + "x";
        List<String> conversations = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            conversations.add(tag + i);
        }
        try (TestAgent agent = new TestAgent(ToolsFixture.CLIENTS, "agent-" + tag, Topic.AGENT.topicName(),
                Topic.OUTBOUND.topicName(), text -> "Answer to " + text, key -> key.startsWith(tag))) {
            await().atMost(WAIT).until(agent::assigned);
            Instant windowStart = Instant.now().minusMillis(1);
            for (int i = 0; i < 5; i++) {
                message(conversations.get(i), i);
            }
            await().atMost(WAIT).until(() -> conversations.subList(0, 5).stream().allMatch(c -> sentTo(c).size() == 1));

            agent.failing.set(true);
            for (int i = 5; i < 10; i++) {
                message(conversations.get(i), i);
            }
            await().atMost(WAIT).until(() -> agent.dropped.get() == 5);
            agent.failing.set(false);
            assertThat(conversations.subList(5, 10)).allMatch(c -> sentTo(c).isEmpty());

            Run run = ToolsFixture.run("replay", "--since", windowStart.toString());

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.err()).contains("re-drove 10 agent event(s)").contains("into tac.agent.v1");
            await().atMost(WAIT).until(() -> agent.answered.get() == 15);
            await().atMost(WAIT).until(() -> conversations.stream().allMatch(c -> !sentTo(c).isEmpty()));
            // Every re-driven reply has been through the sender (its committed offsets reached the end) ...
            await().atMost(WAIT).until(() -> ToolsFixture.caughtUp(SENDER_GROUP, Topic.OUTBOUND));
            assertExactlyOneAnswerEach(conversations);

            // A second run over the same window re-drives the originals only (not the first run's copies), and
            // again sends nothing twice.
            Run again = ToolsFixture.run("replay", "--since", windowStart.toString());
            assertThat(again.err()).contains("re-drove 10 agent event(s)");
            await().atMost(WAIT).until(() -> agent.answered.get() == 25);
            await().atMost(WAIT).until(() -> ToolsFixture.caughtUp(SENDER_GROUP, Topic.OUTBOUND));
            assertExactlyOneAnswerEach(conversations);
        }
    }

    private static void assertExactlyOneAnswerEach(List<String> conversations) {
        for (int i = 0; i < conversations.size(); i++) {
            List<Recorded> sent = sentTo(conversations.get(i));
            assertThat(sent).as("messages to %s", conversations.get(i)).hasSize(1);
            assertThat(sent.get(0).form().get("Body")).isEqualTo("Answer to message " + i);
        }
    }
}
