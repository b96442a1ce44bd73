package io.switchboard.ingress.twiml;

import java.util.Map;

/**
 * What Twilio's voice webhook said about one call, as TAC's {@code TwiMLRequest}: the caller, the dialled number, the
 * call SID, the caller's country, and every parameter of the request (form fields such as {@code CallerState},
 * {@code Direction}, and custom query parameters of the webhook URL such as {@code conversationId}).
 */
public record CallRequest(Map<String, String> parameters) {
    public CallRequest {
        parameters = Map.copyOf(parameters);
    }

    /** A parameter of the request, or null. */
    public String parameter(String name) {
        return parameters.get(name);
    }

    public String from() {
        return parameter("From");
    }

    public String to() {
        return parameter("To");
    }

    public String callSid() {
        return parameter("CallSid");
    }

    /** ISO country code of the caller (Twilio's geographic data), e.g. {@code MX}; null when Twilio has none. */
    public String callerCountry() {
        return parameter("CallerCountry");
    }
}
