package io.switchboard.examples.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.events.AgentEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.SampleEvents;
import io.switchboard.events.Session;
import io.switchboard.events.agent.HandoffFailed;
import io.switchboard.testkit.FakeOpenAi;
import io.switchboard.testkit.FakeOpenAi.Script;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The LLM example without a Studio flow: no messaging handoff tool; a failed handoff is told to customer and model. */
class LlmAgentHandoffTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static RunningLlmAgent running;

    @BeforeAll
    static void start() throws Exception {
        running = RunningLlmAgent.start("llm-handoff-", Map.of(LlmConfig.MODEL, "test-model", LlmConfig.MAX_TOOL_ROUNDS, "2"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (running != null) {
            running.close();
        }
    }

    @Test
    void withoutAStudioFlowMessagingIsNotOfferedTheHandoffToolButVoiceIs() {
        Session sms = Session.newBuilder(SampleEvents.smsSession()).setConversationId("llm-noflow-" + UUID.randomUUID()).build();
        Session voice = Session.newBuilder(SampleEvents.voiceSession()).setConversationId("llm-noflow-v-" + UUID.randomUUID()).build();
        running.openAi.script("Can I talk to someone? (sms)", new Script(List.of("I can help."), 0, -1));
        running.openAi.script("Can I talk to someone? (voice)", new Script(List.of("I can help."), 0, -1));

        AgentEvent text = running.traffic.message(sms, "Can I talk to someone? (sms)", 0);
        AgentEvent call = running.traffic.message(voice, "Can I talk to someone? (voice)", 1);

        await().atMost(WAIT).until(() -> !running.traffic.replies(text).isEmpty() && !running.traffic.replies(call).isEmpty());
        assertThat(running.openAi.requestsFor("Can I talk to someone? (sms)")).first()
                .satisfies(r -> assertThat(r.toolNames()).doesNotContain("handoff"));
        assertThat(running.openAi.requestsFor("Can I talk to someone? (voice)")).first()
                .satisfies(r -> assertThat(r.toolNames()).contains("handoff"));
    }

    @Test
    void aFailedHandoffIsToldToTheCustomerAndTheModelSeesItNextTime() {
        Session sms = Session.newBuilder(SampleEvents.smsSession()).setConversationId("llm-failed-" + UUID.randomUUID()).build();
        AgentEvent failed = running.traffic.send(sms, "failed-" + UUID.randomUUID(), HandoffFailed.newBuilder()
                .setReason("Studio answered 500").setOutboundEventId("out-x").setHandoffData("{}").build());

        await().atMost(WAIT).until(() -> !running.traffic.outboundFor(failed).isEmpty());
        assertThat(((Reply) running.traffic.outboundFor(failed).get(0).getPayload()).getText())
                .contains("could not transfer you");

        running.openAi.script("Ok, what now?", new Script(List.of("Let us fix it together."), 0, -1));
        AgentEvent next = running.traffic.message(sms, "Ok, what now?", 0);
        await().atMost(WAIT).until(() -> !running.traffic.replies(next).isEmpty());
        FakeOpenAi.Request request = running.openAi.requestsFor("Ok, what now?").get(0);
        assertThat(request.messages().encode()).contains("The transfer to a human agent failed: Studio answered 500")
                .contains("could not transfer you");
    }
}
