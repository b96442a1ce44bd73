package io.switchboard.launcher.tools;

import static io.switchboard.launcher.tools.ToolsFixture.CUSTOMER;
import static io.switchboard.launcher.tools.ToolsFixture.PHONE;
import static io.switchboard.launcher.tools.ToolsFixture.produce;

import io.switchboard.events.AgentEvent;
import io.switchboard.events.Channel;
import io.switchboard.events.DeliveryEvent;
import io.switchboard.events.DeliveryStatus;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.Session;
import io.switchboard.events.Source;
import io.switchboard.events.agent.AgentInterrupt;
import io.switchboard.events.agent.MessageReady;
import io.switchboard.events.inbound.CallEnded;
import io.switchboard.events.inbound.CallEndReason;
import io.switchboard.events.inbound.CallStarted;
import io.switchboard.events.inbound.Interrupt;
import io.switchboard.events.inbound.MessageReceived;
import io.switchboard.events.inbound.Prompt;
import io.switchboard.ids.EventIds;
import io.switchboard.topics.Topic;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A multi-turn conversation as the pipeline records it: a call (a partial and a final prompt, a streamed reply of three
 * tokens with a delivery each, an interrupt, the call's end), then an SMS on the same conversation with a whole reply.
 * Record times are explicit, 10 ms apart, so the expected order is exact.
 */
final class RecordedConversation {
    static final String SMS_TEXT = "Text me at +14155550123 or mail jane.doe@example.com";

    record Expected(String kind, String channel, String text) {
    }

    final String conversationId;
    final Instant start;
    final Instant smsAt;
    final List<Expected> expected = new ArrayList<>();
    int records;
    private Instant clock;

    RecordedConversation(String conversationId, Instant start) {
        this.conversationId = conversationId;
        this.start = start;
        this.clock = start;
        String callSid = "CA" + EventIds.random().replace("-", "");
        Session voice = ToolsFixture.voiceSession(conversationId, callSid, 0).build();
        Session sms = ToolsFixture.smsSession(conversationId).build();

        inbound(CallStarted.newBuilder().setSessionId("VX" + callSid).setCallSid(callSid).setFrom(CUSTOMER).setTo(PHONE)
                .setDirection("inbound").setIngressInstance(0).build(), Source.RELAY);
        expected.add(new Expected("call-started", "VOICE", ""));
        inbound(Prompt.newBuilder().setVoicePrompt("What are your").setLast(false).setTurn(1).build(), Source.RELAY);
        String promptId = inbound(Prompt.newBuilder().setVoicePrompt("What are your opening hours?").setLast(true)
                .setTurn(2).build(), Source.RELAY);
        expected.add(new Expected("prompt", "VOICE", "What are your opening hours?"));
        String voiceAgentEvent = agent(voice, MessageReady.newBuilder().setMessageId(promptId)
                .setText("What are your opening hours?").setTurn(2).build());
        expected.add(new Expected("agent-message", "VOICE", "What are your opening hours?"));
        List<String> tokens = List.of("We open ", "at nine.", "");
        List<String> outIds = new ArrayList<>();
        for (int n = 0; n < tokens.size(); n++) {
            outIds.add(reply(voice, voiceAgentEvent, n, tokens.get(n), n == tokens.size() - 1, 2));
        }
        expected.add(new Expected("reply", "VOICE", "We open at nine."));
        for (String outId : outIds) {
            delivery(outId, Channel.VOICE, null);
        }
        expected.add(new Expected("delivery", "VOICE", "SENT x3"));
        inbound(Interrupt.newBuilder().setUtteranceUntilInterrupt("We open").setTurn(3).build(), Source.RELAY);
        expected.add(new Expected("interrupt", "VOICE", "We open"));
        agent(voice, AgentInterrupt.newBuilder().setUtteranceUntilInterrupt("We open").setTurn(3).build());
        expected.add(new Expected("agent-interrupt", "VOICE", "We open"));
        inbound(CallEnded.newBuilder().setReason(CallEndReason.SOCKET_CLOSED).setCallSid(callSid).build(), Source.RELAY);
        expected.add(new Expected("call-ended", "VOICE", "SOCKET_CLOSED"));

        clock = clock.plusSeconds(60);
        smsAt = clock;
        String messageId = inbound(MessageReceived.newBuilder().setChannel(Channel.SMS).setText(SMS_TEXT)
                .setAuthorAddress(CUSTOMER).setRecipientAddress(PHONE).build(), Source.CONVERSATIONS_V1);
        expected.add(new Expected("message", "SMS", SMS_TEXT));
        String smsAgentEvent = agent(sms, MessageReady.newBuilder().setMessageId(messageId).setText(SMS_TEXT)
                .setTurn(-1).build());
        expected.add(new Expected("agent-message", "SMS", SMS_TEXT));
        String smsOut = reply(sms, smsAgentEvent, 0, "Sure: 12 Main St, open at nine.", true, -1);
        expected.add(new Expected("reply", "SMS", "Sure: 12 Main St, open at nine."));
        delivery(smsOut, Channel.SMS, "SM0123");
        expected.add(new Expected("delivery", "SMS", "SENT"));
    }

    private Instant tick() {
        clock = clock.plusMillis(10);
        records++;
        return clock;
    }

    private String inbound(Object payload, Source source) {
        String id = EventIds.random();
        Instant at = tick();
        produce(Topic.INBOUND, conversationId, InboundEvent.newBuilder().setEventId(id).setConversationId(conversationId)
                .setOccurredAt(at).setTraceId(EventIds.newTraceId()).setSource(source).setPayload(payload).build(), at);
        return id;
    }

    private String agent(Session session, Object payload) {
        String id = EventIds.random();
        Instant at = tick();
        produce(Topic.AGENT, conversationId, AgentEvent.newBuilder().setEventId(id).setConversationId(conversationId)
                .setOccurredAt(at).setTraceId(EventIds.newTraceId()).setSession(session).setPayload(payload).build(), at);
        return id;
    }

    private String reply(Session session, String agentEventId, int n, String text, boolean last, long turn) {
        String id = EventIds.derived(agentEventId, "out", Integer.toString(n));
        Instant at = tick();
        produce(Topic.OUTBOUND, conversationId, OutboundEvent.newBuilder().setEventId(id)
                .setConversationId(conversationId).setOccurredAt(at).setTraceId(EventIds.newTraceId())
                .setInReplyTo(agentEventId).setTurn(turn).setSession(session)
                .setPayload(Reply.newBuilder().setReplyId(EventIds.derived(agentEventId, "reply")).setSequence(n)
                        .setText(text).setLast(last).build()).build(), at);
        return id;
    }

    private void delivery(String outboundEventId, Channel channel, String twilioId) {
        Instant at = tick();
        produce(Topic.DELIVERY, conversationId, DeliveryEvent.newBuilder()
                .setEventId(EventIds.derived(outboundEventId, "delivery")).setConversationId(conversationId)
                .setOccurredAt(at).setTraceId(EventIds.newTraceId()).setOutboundEventId(outboundEventId)
                .setChannel(channel).setStatus(DeliveryStatus.SENT).setTwilioId(twilioId).build(), at);
    }
}
