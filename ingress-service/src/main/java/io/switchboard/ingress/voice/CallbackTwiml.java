package io.switchboard.ingress.voice;

import com.twilio.twiml.VoiceResponse;

/**
 * What ingress answers to the ConversationRelay action callback. Today an empty {@code <Response/>} (the call ends);
 * routing a handoff (Enqueue / Dial / a Studio flow) belongs here.
 */
final class CallbackTwiml {
    private CallbackTwiml() {
    }

    static String answer(String handoffData) {
        return new VoiceResponse.Builder().build().toXml();
    }
}
