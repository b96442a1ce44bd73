package io.switchboard.ingress.voice;

import io.switchboard.events.EndSession;
import io.switchboard.events.Play;
import io.switchboard.events.Reply;
import io.switchboard.events.SendDigits;
import io.switchboard.events.SetLanguage;
import io.switchboard.events.inbound.CallStarted;
import io.switchboard.events.inbound.Dtmf;
import io.switchboard.events.inbound.Interrupt;
import io.switchboard.events.inbound.Prompt;
import io.switchboard.events.inbound.RelayError;
import io.switchboard.events.inbound.RelayInfo;
import io.switchboard.ingress.http.StrictJson;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ConversationRelay's wire protocol, both directions: {@link #decode} turns a text frame Twilio sends into a typed
 * {@link Inbound} frame or a rejection naming the problem; {@link #encode} turns the VoiceFrame union Switchboard
 * writes into frame text. No socket, session or Kafka here: the socket handler decides what a frame means in its
 * session (order, setup, publishing).
 */
final class RelayProtocol {
    /** Closes a reply that was interrupted after some of its tokens went out. */
    static final String CLOSING_TOKEN = new JsonObject().put("type", "text").put("token", "").put("last", true).encode();

    private RelayProtocol() {
    }

    /** A decoded inbound frame. {@code type} is the frame's {@code type} field, null when absent or not a string. */
    sealed interface Inbound {
        String type();
    }

    /** Not one JSON object (the checks of {@link StrictJson}). */
    record Malformed() implements Inbound {
        @Override
        public String type() {
            return null;
        }
    }

    /** A frame of a known type that cannot be read; {@code reason} says why (for the log). */
    record Rejected(String type, String reason) implements Inbound {
    }

    /** A well-formed frame of a type ConversationRelay did not document when this was written. */
    record Unknown(String type) implements Inbound {
    }

    /**
     * {@code setup}: the call's event (ingress instance and orchestration left for the handler to fill) and the
     * {@code conversationId} custom parameter, if whoever made the TwiML gave one.
     */
    record Setup(CallStarted started, String conversationIdParameter) implements Inbound {
        @Override
        public String type() {
            return "setup";
        }
    }

    /** {@code prompt, interrupt, dtmf, error, info}: the payload of the inbound event the frame becomes. */
    record Event(String type, Object payload) implements Inbound {
    }

    static Inbound decode(String text) {
        JsonObject frame;
        try {
            frame = new JsonObject(StrictJson.check(text));
        } catch (DecodeException | ClassCastException e) {
            return new Malformed();
        }
        String type = frame.getValue("type") instanceof String s ? s : null;
        if (type == null) {
            return new Rejected(null, "frame without type");
        }
        try {
            return switch (type) {
                case "setup" -> setup(frame);
                case "prompt" -> new Event(type, Prompt.newBuilder()
                        .setVoicePrompt(str(frame, "voicePrompt", ""))
                        .setLang(str(frame, "lang"))
                        .setLast(frame.getBoolean("last", true))
                        .setTurn(-1)
                        .build());
                case "interrupt" -> new Event(type, Interrupt.newBuilder()
                        .setUtteranceUntilInterrupt(str(frame, "utteranceUntilInterrupt", ""))
                        .setDurationUntilInterruptMs(millis(frame.getValue("durationUntilInterruptMs")))
                        .setTurn(-1)
                        .build());
                case "dtmf" -> {
                    String digit = str(frame, "digit");
                    yield blank(digit) ? new Rejected(type, "dtmf without digit")
                            : new Event(type, Dtmf.newBuilder().setDigit(digit).build());
                }
                case "error" -> new Event(type, RelayError.newBuilder().setDescription(str(frame, "description", "")).build());
                case "info" -> new Event(type, RelayInfo.newBuilder().setJson(text).build());
                default -> new Unknown(type);
            };
        } catch (RuntimeException e) { // a field of the wrong JSON type
            return new Rejected(type, "invalid " + type + " frame (" + e.getMessage() + ")");
        }
    }

    private static Inbound setup(JsonObject frame) {
        String sessionId = str(frame, "sessionId");
        String callSid = str(frame, "callSid");
        if (blank(sessionId) || blank(callSid)) {
            return new Rejected("setup", "setup without sessionId or callSid");
        }
        Map<String, String> custom = new LinkedHashMap<>();
        JsonObject params = frame.getJsonObject("customParameters", new JsonObject());
        params.forEach(e -> custom.put(e.getKey(), e.getValue() == null ? "" : String.valueOf(e.getValue())));
        CallStarted started = CallStarted.newBuilder()
                .setSessionId(sessionId).setCallSid(callSid)
                .setParentCallSid(emptyToNull(str(frame, "parentCallSid")))
                .setFrom(emptyToNull(str(frame, "from")))
                .setTo(emptyToNull(str(frame, "to")))
                .setForwardedFrom(emptyToNull(str(frame, "forwardedFrom")))
                .setCallerName(emptyToNull(str(frame, "callerName")))
                .setDirection(emptyToNull(str(frame, "direction")))
                .setCallType(emptyToNull(str(frame, "callType")))
                .setCallStatus(emptyToNull(str(frame, "callStatus")))
                .setAccountSid(emptyToNull(str(frame, "accountSid")))
                .setCustomParameters(custom)
                .setIngressInstance(0)
                .setOrchestrated(false)
                .build();
        return new Setup(started, emptyToNull(custom.get("conversationId")));
    }

    /** The frame text of one of Switchboard's VoiceFrames. */
    static String encode(Object frame) {
        return toJson(frame).encode();
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

    /** A duration ConversationRelay may send as a number or as numeric text; absent or blank is 0. */
    static long millis(Object value) {
        if (value == null) {
            return 0;
        }
        if (value instanceof Number n) {
            return n.longValue();
        }
        String s = value.toString().trim();
        if (s.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return (long) Double.parseDouble(s);
        }
    }

    /** A string field; a present value of another JSON type makes the frame invalid. */
    private static String str(JsonObject frame, String name) {
        return str(frame, name, null);
    }

    private static String str(JsonObject frame, String name, String fallback) {
        Object value = frame.getValue(name);
        if (value == null) {
            return fallback;
        }
        if (value instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException(name + " must be a string");
    }

    private static void putIfSet(JsonObject json, String name, Object value) {
        if (value != null) {
            json.put(name, value instanceof CharSequence cs ? cs.toString() : value);
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String emptyToNull(String s) {
        return blank(s) ? null : s;
    }
}
