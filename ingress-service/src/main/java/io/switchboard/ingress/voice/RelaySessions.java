package io.switchboard.ingress.voice;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The relay sockets this instance holds, by call SID, and the conversation id each recent call was keyed by (the
 * action callback carries only the call SID and arrives after the socket closed).
 */
public final class RelaySessions {
    /** Calls whose conversation id is remembered after their socket closed: far more than one instance holds. */
    private static final int REMEMBERED_CALLS = 10_000;

    private final Map<String, RelaySession> byCallSid = new ConcurrentHashMap<>();
    private final Map<String, String> conversationOfCall = Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                    return size() > REMEMBERED_CALLS;
                }
            });

    /** The conversation id a call's events were keyed by; recorded when it is known. */
    void remember(String callSid, String conversationId) {
        conversationOfCall.put(callSid, conversationId);
    }

    /** The conversation id of a recent call of this instance, or null. */
    String conversationOf(String callSid) {
        return conversationOfCall.get(callSid);
    }

    void register(RelaySession session) {
        RelaySession previous = byCallSid.put(session.callSid(), session);
        if (previous != null && previous != session) {
            previous.replacedBy();
        }
    }

    void remove(RelaySession session) {
        if (session.callSid() != null) {
            byCallSid.remove(session.callSid(), session);
        }
    }

    RelaySession get(String callSid) {
        return byCallSid.get(callSid);
    }

    public int size() {
        return byCallSid.size();
    }
}
