package io.switchboard.agent;

import io.switchboard.events.agent.CallConnected;
import java.util.Map;

/**
 * A call connected to ConversationRelay: the {@code setup} frame's parameters (TAC TypeScript's {@code onSetup}).
 *
 * @param callSid          the call
 * @param sessionId        ConversationRelay's session id
 * @param from             the caller (outbound calls: the business number)
 * @param to               the called number
 * @param direction        {@code inbound}, {@code outbound-api}, ...
 * @param customParameters the TwiML's {@code <Parameter>}s
 * @param avro             the wire record, for the other fields (parent call, caller name, forwarded from, ...)
 */
public record CallSetup(String callSid, String sessionId, String from, String to, String direction,
                        Map<String, String> customParameters, CallConnected avro) {
    static CallSetup of(CallConnected c) {
        return new CallSetup(c.getCallSid(), c.getSessionId(), c.getFrom(), c.getTo(), c.getDirection(),
                c.getCustomParameters() == null ? Map.of() : Map.copyOf(c.getCustomParameters()), c);
    }
}
