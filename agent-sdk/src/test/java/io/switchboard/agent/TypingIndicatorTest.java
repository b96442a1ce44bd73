package io.switchboard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.events.AgentEvent;
import io.switchboard.events.Channel;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.Session;
import io.switchboard.events.Typing;
import io.switchboard.events.agent.MessageReady;
import io.switchboard.ids.EventIds;
import io.switchboard.testkit.AgentTraffic;
import io.switchboard.testkit.TestKafka;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code SWITCHBOARD_AGENT_TYPING_INDICATOR}: a slow WhatsApp reply is preceded by a Typing event on tac.outbound.v1. */
class TypingIndicatorTest extends AgentTrafficTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aSlowWhatsAppReplyIsPrecededByATypingEventForTheInboundMessageAndAFastOneIsNot() throws Exception {
        start(true, 500, (message, session, memory) -> {
            if (message.text().equals("slow")) {
                // hold the reply until the indicator is out: no clock in the assertion
                await().atMost(WAIT).until(() -> typingOf(session.conversationId()) != null);
            }
            return "answer to " + message.text();
        });
        Session whatsapp = whatsapp(prefix + "wa");
        AgentEvent fast = message(whatsapp, "fast", "SMfast");
        AgentEvent slow = message(whatsapp, "slow", "SMslow");

        await().atMost(WAIT).until(() -> traffic.of(whatsapp.getConversationId()).size() == 3);
        var events = traffic.of(whatsapp.getConversationId());
        // the fast reply went out before its timer: its indicator (due before the slow one's) was never sent
        assertThat(events.get(0).getInReplyTo()).isEqualTo(fast.getEventId());
        assertThat(((Reply) events.get(0).getPayload()).getText()).isEqualTo("answer to fast");
        OutboundEvent typing = events.get(1);
        assertThat(typing.getInReplyTo()).isEqualTo(slow.getEventId());
        assertThat(typing.getEventId()).isEqualTo(EventIds.derived(slow.getEventId(), "typing"));
        assertThat(((Typing) typing.getPayload()).getMessageId()).isEqualTo("SMslow");
        // the reply keeps the id it would have without the indicator
        assertThat(events.get(2).getEventId()).isEqualTo(EventIds.derived(slow.getEventId(), "out", "0"));
        assertThat(((Reply) events.get(2).getPayload()).getText()).isEqualTo("answer to slow");
    }

    @Test
    void smsHasNoTypingIndicator() throws Exception {
        start(true, 0, (message, session, memory) -> {
            Thread.sleep(300); // far past the 0 ms delay: an indicator would be out by now
            return "answer";
        });
        Session sms = AgentTraffic.sms(prefix + "sms");
        message(sms, "slow", "SMsms");

        await().atMost(WAIT).until(() -> !traffic.of(sms.getConversationId()).isEmpty());
        assertThat(traffic.of(sms.getConversationId())).extracting(e -> e.getPayload().getClass().getSimpleName())
                .containsExactly("Reply");
    }

    @Test
    void disabledByDefault() throws Exception {
        assertThat(AgentConfig.fromEnv(Map.of()).typingIndicator()).isFalse();
        start(false, 0, (message, session, memory) -> {
            Thread.sleep(300);
            return "answer";
        });
        Session whatsapp = whatsapp(prefix + "off");
        message(whatsapp, "slow", "SMoff");

        await().atMost(WAIT).until(() -> !traffic.of(whatsapp.getConversationId()).isEmpty());
        assertThat(traffic.of(whatsapp.getConversationId())).extracting(e -> e.getPayload().getClass().getSimpleName())
                .containsExactly("Reply");
    }

    private void start(boolean enabled, long delayMs, Handlers.MessageHandler handler) throws Exception {
        start(SwitchboardAgent.builder(TestKafka.env(Map.of()))
                .setting(AgentConfig.TYPING_INDICATOR, Boolean.toString(enabled))
                .setting(AgentConfig.TYPING_INDICATOR_DELAY_MS, Long.toString(delayMs))
                .onMessageReady(handler));
    }

    private static Session whatsapp(String conversationId) {
        return Session.newBuilder(AgentTraffic.sms(conversationId)).setChannel(Channel.WHATSAPP).build();
    }

    private static AgentEvent message(Session session, String text, String messageSid) {
        String inboundId = EventIds.random();
        return traffic.send(session, inboundId, MessageReady.newBuilder().setMessageId(inboundId).setText(text)
                .setChannelId(messageSid).build());
    }

    private static OutboundEvent typingOf(String conversationId) {
        return traffic.of(conversationId).stream().filter(e -> e.getPayload() instanceof Typing).findFirst().orElse(null);
    }
}
