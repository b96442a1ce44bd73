package io.switchboard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.events.Channel;
import io.switchboard.events.Handoff;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.Session;
import io.switchboard.events.agent.HandoffFailed;
import io.switchboard.testkit.AgentTraffic;
import io.switchboard.testkit.TestKafka;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Messaging handoffs from the SDK's side: refused without a Studio flow, and TAC's handoff_failed as a callback. */
class HandoffCallbackTest extends AgentTrafficTest {

    @Test
    void messagingHandoffWithoutAStudioFlowIsRefusedWithTheMissingSettingAndNothingIsSent() throws Exception {
        List<Throwable> refused = new CopyOnWriteArrayList<>();
        SwitchboardAgent.Builder builder = SwitchboardAgent.builder(TestKafka.env(Map.of()))
                .onMessageReady((message, session, memory, reply) -> {
                    try {
                        reply.handoff("customer asked for a human");
                    } catch (HandoffRefusedException e) {
                        refused.add(e);
                        reply.sendResponse("I cannot transfer you, but I can help.");
                    }
                });
        SwitchboardAgent agent = start(builder);
        assertThat(agent.handoffAvailable(Channel.SMS)).isFalse();
        assertThat(agent.handoffAvailable(Channel.VOICE)).isTrue();

        Session sms = AgentTraffic.sms(prefix + "sms");
        traffic.message(sms, "a human please", 0);
        await().until(() -> traffic.of(sms.getConversationId()).size() == 1);
        assertThat(refused).singleElement().extracting(Throwable::getMessage).asString()
                .contains("TWILIO_STUDIO_HANDOFF_FLOW_SID");
        assertThat(traffic.of(sms.getConversationId())).extracting(e -> e.getPayload().getClass().getSimpleName())
                .containsExactly("Reply");
    }

    @Test
    void messagingHandoffWithAFlowIsWrittenAndAFailureCallsOnHandoffFailedWhoseTextIsSent() throws Exception {
        List<String> reasons = new CopyOnWriteArrayList<>();
        SwitchboardAgent agent = start(SwitchboardAgent.builder(TestKafka.env(Map.of(AgentConfig.STUDIO_HANDOFF_FLOW_SID, "FW0000000000000000000000000000000a")))
                .onMessageReady((message, session, memory, reply) -> reply.handoff("asked"))
                .onHandoffFailed((session, reason) -> {
                    reasons.add(reason);
                    return "Sorry, the transfer failed; I am still here.";
                }));
        assertThat(agent.handoffAvailable(Channel.WHATSAPP)).isTrue();
        Session sms = AgentTraffic.sms(prefix + "sms");
        traffic.message(sms, "a human please", 0);
        await().until(() -> traffic.of(sms.getConversationId()).size() == 1);
        OutboundEvent handoff = traffic.of(sms.getConversationId()).get(0);
        assertThat(((Handoff) handoff.getPayload()).getReason()).isEqualTo("asked");

        traffic.send(sms, "failed-1", HandoffFailed.newBuilder().setReason("Studio answered 500")
                .setOutboundEventId(handoff.getEventId()).setHandoffData("{}").build());
        await().until(() -> traffic.of(sms.getConversationId()).size() == 2);
        assertThat(reasons).containsExactly("Studio answered 500");
        assertThat(((Reply) traffic.of(sms.getConversationId()).get(1).getPayload()).getText())
                .isEqualTo("Sorry, the transfer failed; I am still here.");
    }
}
