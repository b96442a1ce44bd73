package io.switchboard.outreach;

import io.switchboard.events.Channel;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.Session;
import io.switchboard.events.Source;
import java.time.Instant;
import java.util.Map;

/**
 * Agent-initiated (outbound) conversations on tac.outbound.v1, without a schema change: an {@link OutboundEvent}
 * whose session carries the custom parameter {@value #PARAMETER} ({@value #CONVERSATION} or {@value #CALL}),
 * {@code session.from} = the customer's address, {@code session.channel} = the channel, and a {@link Reply} with the
 * first message (voice: ignored). Its conversation id (and record key) is a placeholder, {@code outreach-{eventId}};
 * the real conversation id / call SID is reported as the delivery's {@code twilioId} and is the one the customer's
 * answer arrives with.
 */
public final class Outreach {
    public static final String PARAMETER = "switchboard.outreach";
    public static final String CONVERSATION = "conversation";
    public static final String CALL = "call";

    private Outreach() {
    }

    /** {@value #CONVERSATION}, {@value #CALL}, or null for an ordinary outbound event. */
    public static String kind(OutboundEvent event) {
        Map<String, String> parameters = event.getSession().getCustomParameters();
        return parameters == null ? null : parameters.get(PARAMETER);
    }

    /** The event an agent writes to start a conversation (or, on VOICE, place a call). */
    public static OutboundEvent request(String eventId, String traceId, Channel channel, String to, String firstMessage) {
        String placeholder = "outreach-" + eventId;
        Session session = Session.newBuilder().setConversationId(placeholder).setChannel(channel)
                .setSource(channel == Channel.VOICE ? Source.RELAY : Source.ORCHESTRATOR)
                .setStartedAt(Instant.now()).setFrom(to)
                .setCustomParameters(Map.of(PARAMETER, channel == Channel.VOICE ? CALL : CONVERSATION)).build();
        return OutboundEvent.newBuilder().setEventId(eventId).setConversationId(placeholder).setOccurredAt(Instant.now())
                .setTraceId(traceId).setSession(session)
                .setPayload(Reply.newBuilder().setReplyId(eventId).setText(firstMessage == null ? "" : firstMessage).build())
                .build();
    }
}
