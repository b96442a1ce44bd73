package io.switchboard.ingress.voice;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The relay sockets this instance holds, by call SID. */
public final class RelaySessions {
    private final Map<String, RelaySession> byCallSid = new ConcurrentHashMap<>();

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
