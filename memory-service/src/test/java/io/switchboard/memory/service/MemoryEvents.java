package io.switchboard.memory.service;

import io.switchboard.events.Channel;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.Session;
import io.switchboard.events.Source;
import io.switchboard.events.inbound.CallEndReason;
import io.switchboard.events.inbound.CallEnded;
import io.switchboard.events.inbound.CallStarted;
import io.switchboard.events.inbound.MessageReceived;
import io.switchboard.events.inbound.Prompt;
import io.switchboard.ids.EventIds;
import java.time.Instant;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * The inbound and outbound events the local memory learns from, shaped as ingress and agents write them; each a
 * second after the one before (history is ordered by event time). {@link Events} sends them to a broker, the
 * topology test pipes them into a test driver.
 */
final class MemoryEvents {
    static final String BUSINESS = "+15550001111";

    private long clock = System.currentTimeMillis() - 3_600_000;

    InboundEvent message(String conversationId, Channel channel, String from, String profileId, String text) {
        return inbound(conversationId, MessageReceived.newBuilder().setChannel(channel).setText(text).setAuthorAddress(from)
                .setRecipientAddress(BUSINESS).setProfileId(profileId).build());
    }

    /** A call whose TwiML passed {@code customParameters} (e.g. the caller's {@code profileId}). */
    InboundEvent callStarted(String callSid, String from, Map<String, String> customParameters) {
        return inbound(callSid, CallStarted.newBuilder().setSessionId("VX" + callSid).setCallSid(callSid).setFrom(from)
                .setTo(BUSINESS).setIngressInstance(0).setCustomParameters(customParameters).build());
    }

    InboundEvent prompt(String callSid, String text, boolean last) {
        return inbound(callSid, Prompt.newBuilder().setVoicePrompt(text).setLast(last).setTurn(clock).build());
    }

    InboundEvent callEnded(String callSid) {
        return inbound(callSid, CallEnded.newBuilder().setReason(CallEndReason.SOCKET_CLOSED).setCallSid(callSid).build());
    }

    /** One reply (whole when {@code sequence} is 0 and {@code last}, else a token) to the customer of the session. */
    OutboundEvent reply(String conversationId, Channel channel, String customer, String profileId, String replyId,
            int sequence, String text, boolean last) {
        Session session = Session.newBuilder().setConversationId(conversationId).setChannel(channel)
                .setStartedAt(Instant.ofEpochMilli(clock)).setFrom(customer).setTo(BUSINESS).setProfileId(profileId)
                .build();
        return OutboundEvent.newBuilder().setEventId(EventIds.random()).setConversationId(conversationId)
                .setOccurredAt(Instant.ofEpochMilli(clock += 1000)).setTraceId(EventIds.newTraceId()).setSession(session)
                .setPayload(Reply.newBuilder().setReplyId(replyId).setSequence(sequence).setText(text).setLast(last).build())
                .build();
    }

    private InboundEvent inbound(String conversationId, SpecificRecord payload) {
        return InboundEvent.newBuilder().setEventId(EventIds.random()).setConversationId(conversationId)
                .setOccurredAt(Instant.ofEpochMilli(clock += 1000)).setTraceId(EventIds.newTraceId())
                .setSource(Source.UNKNOWN).setPayload(payload).build();
    }
}
