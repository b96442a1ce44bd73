package io.switchboard.outbound.voice;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.events.EndSession;
import io.switchboard.events.Handoff;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Session;
import io.switchboard.events.VoiceFrame;

/**
 * Turns a voice {@link OutboundEvent} into the {@link VoiceFrame} for the ingress instance holding the call's socket.
 * A {@link Handoff} becomes an {@code end} whose {@code handoffData} is TAC's JSON
 * ({@code {conversationId, profileId, attributes {…, reason}}}).
 */
public final class VoiceFrames {
    private static final ObjectMapper JSON = new ObjectMapper();

    private VoiceFrames() {
    }

    /** The egress partition: the ingress instance recorded in the session at {@code setup}, or null if unknown. */
    public static Integer partition(Session session) {
        return session.getIngressInstance();
    }

    /** The call SID (the record key on tac.voice.egress.v1). */
    public static String callSid(Session session) {
        return session.getCallSid() != null ? session.getCallSid() : session.getConversationId();
    }

    public static VoiceFrame frame(OutboundEvent event) {
        Object payload = event.getPayload();
        Object frame = payload instanceof Handoff handoff ? endFor(event, handoff) : payload;
        return VoiceFrame.newBuilder().setEventId(event.getEventId()).setConversationId(event.getConversationId())
                .setCallSid(callSid(event.getSession())).setOccurredAt(event.getOccurredAt())
                .setTraceId(event.getTraceId()).setTurn(event.getTurn()).setFrame(frame).build();
    }

    private static EndSession endFor(OutboundEvent event, Handoff handoff) {
        return EndSession.newBuilder().setHandoffData(handoffData(event, handoff)).build();
    }

    /** TAC's HandoffData JSON: {@code {conversationId, profileId?, attributes {…, reason}}}. */
    public static String handoffData(OutboundEvent event, Handoff handoff) {
        ObjectNode data = JSON.createObjectNode().put("conversationId", event.getConversationId());
        if (event.getSession().getProfileId() != null) {
            data.put("profileId", event.getSession().getProfileId());
        }
        ObjectNode attributes = data.putObject("attributes");
        handoff.getAttributes().forEach((k, v) -> attributes.put(k.toString(), v == null ? null : v.toString()));
        if (handoff.getReason() != null) {
            attributes.put("reason", handoff.getReason());
        }
        return data.toString();
    }
}
