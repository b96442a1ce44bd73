package io.switchboard.outreach;

import io.switchboard.events.Channel;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.Session;
import io.switchboard.events.Source;
import java.time.Instant;
import java.util.HashMap;
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
    /**
     * TAC's call options of an agent-placed call, each a custom parameter {@value #CALL_OPTION}{@code <name>}:
     * {@code machineDetection} (Enable | DetectMessageEnd), {@code asyncAmd} (true), {@code record} (true),
     * {@code timeout} (seconds), {@code statusEvents} (space-separated: initiated ringing answered completed). The
     * sender turns them into the Calls API's parameters with ingress's call event URLs as callbacks.
     */
    public static final String CALL_OPTION = "switchboard.call.";

    private Outreach() {
    }

    /**
     * The event an agent writes to start a messaging conversation from a chosen sender: {@code from} (the agent's
     * address, e.g. one of several RCS sender ids; null: the channel's configured one) goes in {@code session.to},
     * {@code channelId} (TAC's channel id of a CHAT conversation; null: none) in {@code session.channelId}.
     */
    public static OutboundEvent conversationRequest(String eventId, String traceId, Channel channel, String to,
                                                    String firstMessage, String from, String channelId) {
        OutboundEvent event = request(eventId, traceId, channel, to, firstMessage, Map.of());
        event.setSession(Session.newBuilder(event.getSession()).setTo(from).setChannelId(channelId).build());
        return event;
    }

    /** A call option of an agent-placed call ({@link #CALL_OPTION}), or null. */
    public static String callOption(OutboundEvent event, String name) {
        Map<String, String> parameters = event.getSession().getCustomParameters();
        return parameters == null ? null : parameters.get(CALL_OPTION + name);
    }

    /** {@value #CONVERSATION}, {@value #CALL}, or null for an ordinary outbound event. */
    public static String kind(OutboundEvent event) {
        Map<String, String> parameters = event.getSession().getCustomParameters();
        return parameters == null ? null : parameters.get(PARAMETER);
    }

    /** The event an agent writes to start a conversation (or, on VOICE, place a call). */
    public static OutboundEvent request(String eventId, String traceId, Channel channel, String to, String firstMessage) {
        return request(eventId, traceId, channel, to, firstMessage, Map.of());
    }

    /** {@link #request(String, String, Channel, String, String)} of a call with TAC's call options (by name, see {@link #CALL_OPTION}). */
    public static OutboundEvent request(String eventId, String traceId, Channel channel, String to, String firstMessage,
                                        Map<String, String> callOptions) {
        String placeholder = "outreach-" + eventId;
        Map<String, String> parameters = new HashMap<>();
        parameters.put(PARAMETER, channel == Channel.VOICE ? CALL : CONVERSATION);
        callOptions.forEach((name, value) -> parameters.put(CALL_OPTION + name, value));
        Session session = Session.newBuilder().setConversationId(placeholder).setChannel(channel)
                .setSource(channel == Channel.VOICE ? Source.RELAY : Source.ORCHESTRATOR)
                .setStartedAt(Instant.now()).setFrom(to)
                .setCustomParameters(parameters).build();
        return OutboundEvent.newBuilder().setEventId(eventId).setConversationId(placeholder).setOccurredAt(Instant.now())
                .setTraceId(traceId).setSession(session)
                .setPayload(Reply.newBuilder().setReplyId(eventId).setText(firstMessage == null ? "" : firstMessage).build())
                .build();
    }
}
