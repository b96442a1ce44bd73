package io.switchboard.ingress.voice;

import io.switchboard.events.EndSession;
import io.switchboard.events.Play;
import io.switchboard.events.Reply;
import io.switchboard.events.SendDigits;
import io.switchboard.events.SetLanguage;
import io.vertx.core.json.JsonObject;

/** The ConversationRelay frames Switchboard writes to Twilio, from the VoiceFrame union. */
final class RelayFrames {
    /** Closes a reply that was interrupted after some of its tokens went out. */
    static final String CLOSING_TOKEN = new JsonObject().put("type", "text").put("token", "").put("last", true).encode();

    private RelayFrames() {
    }

    static JsonObject toJson(Object frame) {
        if (frame instanceof Reply reply) {
            JsonObject json = new JsonObject().put("type", "text").put("token", reply.getText()).put("last", reply.getLast());
            putIfSet(json, "interruptible", reply.getInterruptible());
            putIfSet(json, "preemptible", reply.getPreemptible());
            putIfSet(json, "lang", reply.getLang());
            return json;
        }
        if (frame instanceof Play play) {
            JsonObject json = new JsonObject().put("type", "play").put("source", play.getSource());
            putIfSet(json, "loop", play.getLoop());
            putIfSet(json, "preemptible", play.getPreemptible());
            putIfSet(json, "interruptible", play.getInterruptible());
            return json;
        }
        if (frame instanceof SendDigits digits) {
            return new JsonObject().put("type", "sendDigits").put("digits", digits.getDigits());
        }
        if (frame instanceof SetLanguage language) {
            JsonObject json = new JsonObject().put("type", "language");
            putIfSet(json, "ttsLanguage", language.getTtsLanguage());
            putIfSet(json, "transcriptionLanguage", language.getTranscriptionLanguage());
            return json;
        }
        if (frame instanceof EndSession end) {
            JsonObject json = new JsonObject().put("type", "end");
            putIfSet(json, "handoffData", end.getHandoffData());
            return json;
        }
        throw new IllegalArgumentException("Unknown voice frame " + (frame == null ? null : frame.getClass()));
    }

    private static void putIfSet(JsonObject json, String name, Object value) {
        if (value != null) {
            json.put(name, value instanceof CharSequence cs ? cs.toString() : value);
        }
    }
}
