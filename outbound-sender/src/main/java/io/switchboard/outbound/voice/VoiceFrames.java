package io.switchboard.outbound.voice;

import io.switchboard.events.EndSession;
import io.switchboard.events.Handoff;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Session;
import io.switchboard.events.VoiceFrame;
import io.switchboard.outbound.handoff.HandoffData;

/**
 * Turns a voice {@link OutboundEvent} into the {@link VoiceFrame} for the ingress instance holding the call's socket.
 * A {@link Handoff} becomes an {@code end} whose {@code handoffData} is TAC's JSON ({@link HandoffData}).
 */
public final class VoiceFrames {
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

    /**
     * Whether the call belongs to an Orchestrator conversation: ingress keys a call by its Orchestrator conversation id
     * once the lookup found it, by the call SID otherwise (relay-only, or the lookup failed). Then a handoff also
     * releases the conversation (INACTIVE, callbacks cleared) as TAC's handoff tool does.
     */
    public static boolean orchestrated(Session session) {
        return session.getCallSid() != null && !session.getCallSid().equals(session.getConversationId());
    }

    /** The frame for {@code event}; a {@link Handoff} becomes {@code end} with TAC's HandoffData ({@code storeId} may be null). */
    public static VoiceFrame frame(OutboundEvent event, String storeId) {
        Object payload = event.getPayload();
        Object frame = payload instanceof Handoff handoff
                ? EndSession.newBuilder().setHandoffData(HandoffData.json(event, handoff, storeId)).build() : payload;
        return VoiceFrame.newBuilder().setEventId(event.getEventId()).setConversationId(event.getConversationId())
                .setCallSid(callSid(event.getSession())).setOccurredAt(event.getOccurredAt())
                .setTraceId(event.getTraceId()).setTurn(event.getTurn()).setFrame(frame).build();
    }
}
