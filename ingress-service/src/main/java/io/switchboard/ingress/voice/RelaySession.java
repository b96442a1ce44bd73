package io.switchboard.ingress.voice;

import io.switchboard.events.EndSession;
import io.switchboard.events.Reply;
import io.switchboard.events.VoiceFrame;
import io.switchboard.ids.RecentIds;
import io.vertx.core.Context;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One ConversationRelay socket. All state is touched on the socket's own context (inbound frames arrive there and
 * egress frames are handed over with {@code runOnContext}), so no locking is needed.
 */
final class RelaySession {
    private static final Logger log = LoggerFactory.getLogger(RelaySession.class);

    enum Written { WRITTEN, STALE, DUPLICATE, CLOSED }

    /** How many written frame ids a socket remembers: far more than an outbound-sender re-send can repeat. */
    private static final int REMEMBERED_FRAMES = 1_024;

    private final ServerWebSocket socket;
    private final Context context;
    private long seq = -1;
    private String sessionId;
    private String callSid;
    private String accountSid;
    private String conversationId;
    private long lastInterruptTurn = -1;
    private boolean replyOpen;
    private boolean ended;
    private boolean refusing;
    private final Set<String> writtenIds = RecentIds.bounded(REMEMBERED_FRAMES);
    /** False while the orchestrated lookup runs: events wait in {@link #waiting}, in frame order. */
    private boolean resolved = true;
    private final Deque<Runnable> waiting = new ArrayDeque<>();

    RelaySession(ServerWebSocket socket, Context context) {
        this.socket = socket;
        this.context = context;
    }

    Context context() {
        return context;
    }

    /** After an oversized message the socket is closing: nothing more it sends is read. Event loop only. */
    void refuseFurtherFrames() {
        refusing = true;
    }

    boolean refusingFrames() {
        return refusing;
    }

    boolean started() {
        return callSid != null;
    }

    void start(String sessionId, String callSid, String accountSid, String conversationId) {
        this.sessionId = sessionId;
        this.callSid = callSid;
        this.accountSid = accountSid;
        this.conversationId = conversationId;
    }

    /** Whether the conversation id is known (no lookup running). */
    boolean resolvedNow() {
        return resolved;
    }

    /** The conversation id is not known yet (orchestrated lookup running): events wait until {@link #resolve}. */
    void awaitConversation() {
        resolved = false;
    }

    /**
     * Publishes {@code publish} now if the conversation id is known, else once it is, after the events that came
     * before it (socket order). Event loop only.
     */
    void whenResolved(Runnable publish) {
        if (resolved) {
            publish.run();
        } else {
            waiting.add(publish);
        }
    }

    /** The lookup finished: the socket's events are keyed by {@code id} from now on; waiting ones go out in order. */
    void resolve(String id) {
        this.conversationId = id;
        this.resolved = true;
        Runnable next;
        while ((next = waiting.poll()) != null) {
            next.run();
        }
    }

    long nextSeq() {
        return ++seq;
    }

    String sessionId() {
        return sessionId;
    }

    String callSid() {
        return callSid;
    }

    String accountSid() {
        return accountSid;
    }

    String conversationId() {
        return conversationId;
    }

    /** An interrupt at {@code turn}: replies to earlier turns are stale; an unfinished reply is closed once. */
    void interrupted(long turn) {
        lastInterruptTurn = Math.max(lastInterruptTurn, turn);
        if (replyOpen) {
            replyOpen = false;
            socket.writeTextMessage(RelayProtocol.CLOSING_TOKEN);
        }
    }

    /** Writes an egress frame unless it belongs to a turn an interrupt made stale. */
    Written write(VoiceFrame frame) {
        if (socket.isClosed()) {
            return Written.CLOSED;
        }
        if (frame.getTurn() >= 0 && frame.getTurn() < lastInterruptTurn) {
            return Written.STALE;
        }
        // A restarted outbound-sender may write a frame again (same id): the caller must not hear it twice.
        if (!writtenIds.add(frame.getEventId().toString())) {
            return Written.DUPLICATE;
        }
        Object payload = frame.getFrame();
        if (payload instanceof Reply reply) {
            replyOpen = !reply.getLast() && (replyOpen || !reply.getText().toString().isEmpty());
        }
        if (payload instanceof EndSession) {
            ended = true;
            replyOpen = false;
            MDC.put("conversationId", conversationId);
            log.info("Ending relay session {} of call {}", sessionId, callSid);
            MDC.remove("conversationId");
        }
        socket.writeTextMessage(RelayProtocol.encode(payload));
        return Written.WRITTEN;
    }

    boolean ended() {
        return ended;
    }

    /** Another socket registered the same call SID (Twilio reconnected): this one no longer receives frames. */
    void replacedBy() {
        log.warn("Call {} has a newer relay socket; the older one stops receiving frames", callSid);
    }
}
