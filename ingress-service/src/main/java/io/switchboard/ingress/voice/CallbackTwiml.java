package io.switchboard.ingress.voice;

import com.twilio.twiml.VoiceResponse;
import com.twilio.twiml.voice.Dial;
import com.twilio.twiml.voice.Enqueue;

/**
 * What ingress answers to the ConversationRelay action callback, which Twilio calls only when the {@code <Connect
 * action>} is the relay callback, that is when no {@code TWILIO_STUDIO_HANDOFF_FLOW_SID} is set (with a flow, the
 * action is the flow's webhook and Studio receives the request, HandoffData included; see {@link TwimlHandler}).
 * Without {@code HandoffData}, or without a route configured, an empty {@code <Response/>}: the call ends. With
 * {@code HandoffData}, two documented extras route the call to a human, first match wins:
 * <ol>
 *   <li>{@code SWITCHBOARD_HANDOFF_QUEUE}: {@code <Enqueue>queue</Enqueue>};</li>
 *   <li>{@code SWITCHBOARD_HANDOFF_DIAL}: {@code <Dial>number-or-sip</Dial>}.</li>
 * </ol>
 * Neither passes the HandoffData on (TwiML has no way to hand it to a queue or a dialled party); it reaches the
 * agent's {@code onConversationEnded} through the CallEnded event. A Studio {@code <Redirect>} is not offered: its
 * request carries only the call's standard parameters, so Studio would never see the HandoffData.
 */
public final class CallbackTwiml {
    private final String queue;
    private final String dial;

    public CallbackTwiml(String queue, String dial) {
        this.queue = blankToNull(queue);
        this.dial = blankToNull(dial);
    }

    /** No handoff routing: every callback ends the call. */
    static CallbackTwiml hangUp() {
        return new CallbackTwiml(null, null);
    }

    String answer(String handoffData) {
        VoiceResponse.Builder response = new VoiceResponse.Builder();
        if (handoffData != null && !handoffData.isBlank()) {
            if (queue != null) {
                response.enqueue(new Enqueue.Builder(queue).build());
            } else if (dial != null) {
                response.dial(new Dial.Builder(dial).build());
            }
        }
        return response.build().toXml();
    }

    /** Whether a handoff would be routed (otherwise the call just ends). */
    boolean routesHandoffs() {
        return queue != null || dial != null;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
