package io.switchboard.ingress.voice;

import com.twilio.http.HttpMethod;
import com.twilio.twiml.VoiceResponse;
import com.twilio.twiml.voice.Dial;
import com.twilio.twiml.voice.Enqueue;
import com.twilio.twiml.voice.Redirect;

/**
 * What ingress answers to the ConversationRelay action callback. Without {@code HandoffData} (or without a handoff
 * route configured) an empty {@code <Response/>}: the call ends. With {@code HandoffData} the call is routed to a
 * human, first match wins:
 * <ol>
 *   <li>{@code TWILIO_STUDIO_HANDOFF_FLOW_SID}: {@code <Redirect method="POST">} to the flow's voice webhook
 *       {@code https://webhooks.twilio.com/v1/Accounts/{AC}/Flows/{FW}?Trigger=incomingCall} (the URL TAC's handoff
 *       uses as the relay action);</li>
 *   <li>{@code SWITCHBOARD_HANDOFF_QUEUE}: {@code <Enqueue>queue</Enqueue>};</li>
 *   <li>{@code SWITCHBOARD_HANDOFF_DIAL}: {@code <Dial>number-or-sip</Dial>}.</li>
 * </ol>
 */
public final class CallbackTwiml {
    private final String accountSid;
    private final String studioFlowSid;
    private final String queue;
    private final String dial;

    public CallbackTwiml(String accountSid, String studioFlowSid, String queue, String dial) {
        this.accountSid = accountSid;
        this.studioFlowSid = blankToNull(studioFlowSid);
        this.queue = blankToNull(queue);
        this.dial = blankToNull(dial);
    }

    /** No handoff routing: every callback ends the call. */
    static CallbackTwiml hangUp() {
        return new CallbackTwiml(null, null, null, null);
    }

    /** TAC's Studio voice webhook for a flow. */
    static String studioVoiceUrl(String accountSid, String flowSid) {
        return "https://webhooks.twilio.com/v1/Accounts/" + accountSid + "/Flows/" + flowSid + "?Trigger=incomingCall";
    }

    String answer(String handoffData) {
        VoiceResponse.Builder response = new VoiceResponse.Builder();
        if (handoffData != null && !handoffData.isBlank()) {
            if (studioFlowSid != null && accountSid != null) {
                response.redirect(new Redirect.Builder(studioVoiceUrl(accountSid, studioFlowSid))
                        .method(HttpMethod.POST).build());
            } else if (queue != null) {
                response.enqueue(new Enqueue.Builder(queue).build());
            } else if (dial != null) {
                response.dial(new Dial.Builder(dial).build());
            }
        }
        return response.build().toXml();
    }

    /** Whether a handoff would be routed (otherwise the call just ends). */
    boolean routesHandoffs() {
        return (studioFlowSid != null && accountSid != null) || queue != null || dial != null;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
