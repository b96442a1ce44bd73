package io.switchboard.agent;

import io.opentelemetry.context.Context;
import io.switchboard.events.AgentEvent;
import io.switchboard.events.Channel;
import io.switchboard.events.EndSession;
import io.switchboard.events.Handoff;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Play;
import io.switchboard.events.SendDigits;
import io.switchboard.events.SetLanguage;
import io.switchboard.events.Typing;
import io.switchboard.ids.EventIds;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The replies of one attempt at one agent event: numbers the outbound events (deterministic ids), streams or buffers
 * tokens by channel, and knows when the handler is settled (returned, every stream ended) and when every send is
 * acknowledged. All state under this object's monitor, so sends leave in the order they were made.
 */
final class Outbox implements Reply {
    private final AgentRuntime runtime;
    private final AgentEvent event;
    private final long turn;
    private final boolean voice;
    private final List<CompletableFuture<Void>> sends = new ArrayList<>();
    private final CompletableFuture<Void> settled = new CompletableFuture<>();
    private int next;
    private int replies;
    private int openStreams;
    private boolean returned;
    private boolean cancelled;

    /** The handler's span: every record this outbox writes gets its {@code send tac.outbound.v1} span under it. */
    private final Context trace;

    Outbox(AgentRuntime runtime, AgentEvent event, long turn) {
        this(runtime, event, turn, Context.root());
    }

    Outbox(AgentRuntime runtime, AgentEvent event, long turn, Context trace) {
        this.trace = trace;
        this.runtime = runtime;
        this.event = event;
        this.turn = turn;
        this.voice = event.getSession().getChannel() == Channel.VOICE;
    }

    @Override
    public String conversationId() {
        return event.getConversationId();
    }

    @Override
    public boolean sendResponse(String text) {
        return sendResponse(text, TextOptions.DEFAULT);
    }

    @Override
    public boolean sendResponse(String text, TextOptions options) {
        Objects.requireNonNull(text, "text");
        synchronized (this) {
            if (cancelled) {
                return false;
            }
            return emit(reply(newReplyId(), 0, text, true, options == null ? TextOptions.DEFAULT : options));
        }
    }

    @Override
    public boolean sendResponse(String conversationId, String text) {
        checkConversation(conversationId);
        return sendResponse(text);
    }

    @Override
    public TokenStream stream() {
        return stream(TextOptions.DEFAULT);
    }

    @Override
    public TokenStream stream(TextOptions options) {
        synchronized (this) {
            openStreams++;
            return new Stream(newReplyId(), options == null ? TextOptions.DEFAULT : options);
        }
    }

    @Override
    public TokenStream stream(String conversationId) {
        checkConversation(conversationId);
        return stream();
    }

    @Override
    public synchronized boolean play(String source, Integer loop, Boolean preemptible, Boolean interruptible) {
        requireVoice("play");
        return emit(Play.newBuilder().setSource(Objects.requireNonNull(source, "source")).setLoop(loop)
                .setPreemptible(preemptible).setInterruptible(interruptible).build());
    }

    @Override
    public synchronized boolean sendDigits(String digits) {
        requireVoice("sendDigits");
        return emit(SendDigits.newBuilder().setDigits(Objects.requireNonNull(digits, "digits")).build());
    }

    @Override
    public synchronized boolean language(String ttsLanguage, String transcriptionLanguage) {
        requireVoice("language");
        return emit(SetLanguage.newBuilder().setTtsLanguage(ttsLanguage)
                .setTranscriptionLanguage(transcriptionLanguage).build());
    }

    /** Relay frames exist on calls only: refused here rather than dead-lettered by outbound-sender. */
    private void requireVoice(String frame) {
        if (!voice) {
            throw new IllegalStateException(frame + " is a ConversationRelay frame: conversation "
                    + event.getConversationId() + " is " + event.getSession().getChannel() + ", not VOICE");
        }
    }

    @Override
    public synchronized boolean endSession(String handoffData) {
        return emit(new EndSession(handoffData));
    }

    @Override
    public synchronized boolean handoff(String reason, Map<String, String> attributes) {
        if (!voice && runtime.config.studioHandoffFlowSid() == null) {
            throw new HandoffRefusedException("Handoff refused: no Studio flow is configured for messaging handoffs ("
                    + AgentConfig.STUDIO_HANDOFF_FLOW_SID + " is unset), so nobody would take conversation "
                    + event.getConversationId() + "; it stays with the agent");
        }
        return emit(new Handoff(reason, new HashMap<>(attributes == null ? Map.of() : attributes)));
    }

    /**
     * Asks for a typing indicator for the inbound message {@code messageId}, unless something was sent already or the
     * handler is done. Its id is derived apart from the replies' ({@code "typing"}), so whether it was sent never
     * shifts their ids; best effort: not awaited before the offset commit.
     */
    synchronized boolean typing(String messageId) {
        if (cancelled || next > 0 || settled.isDone()) {
            return false;
        }
        runtime.produce(trace, outbound(EventIds.derived(event.getEventId(), "typing"),
                Typing.newBuilder().setMessageId(messageId).build()));
        return true;
    }

    @Override
    public synchronized boolean isCancelled() {
        return cancelled;
    }

    /** The handler returned: settled once its streams end. */
    synchronized void handlerReturned() {
        returned = true;
        settleIfDone();
    }

    /** An interrupt (or a failed attempt): nothing more is sent, open streams are dropped without their last frame. */
    synchronized void cancel() {
        cancelled = true;
        settled.complete(null);
    }

    CompletableFuture<Void> settled() {
        return settled;
    }

    /** Completes when every send made so far is acknowledged (acks=all), or fails with the first failed send. */
    synchronized CompletableFuture<Void> acked() {
        return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new));
    }

    private void settleIfDone() {
        if (returned && openStreams == 0) {
            settled.complete(null);
        }
    }

    private void checkConversation(String conversationId) {
        if (!event.getConversationId().equals(conversationId)) {
            throw new IllegalArgumentException("This handler answers conversation " + event.getConversationId()
                    + ", not " + conversationId);
        }
    }

    private String newReplyId() {
        return EventIds.derived(event.getEventId(), "reply", Integer.toString(replies++));
    }

    private io.switchboard.events.Reply reply(String replyId, int sequence, String text, boolean last,
                                              TextOptions options) {
        io.switchboard.events.Reply.Builder reply = io.switchboard.events.Reply.newBuilder().setReplyId(replyId)
                .setSequence(sequence).setText(text).setLast(last);
        if (voice) { // the text frame's flags; messages have none
            reply.setLang(options.lang()).setInterruptible(options.interruptible())
                    .setPreemptible(options.preemptible());
        }
        return reply.build();
    }

    /** Under the monitor. */
    private boolean emit(Object payload) {
        if (cancelled) {
            return false;
        }
        sends.add(runtime.produce(trace, outbound(EventIds.derived(event.getEventId(), "out", Integer.toString(next++)), payload)));
        return true;
    }

    private OutboundEvent outbound(String eventId, Object payload) {
        return OutboundEvent.newBuilder()
                .setEventId(eventId)
                .setConversationId(event.getConversationId())
                .setOccurredAt(Instant.now())
                .setTraceId(event.getTraceId())
                .setInReplyTo(event.getEventId())
                .setTurn(turn)
                .setSession(event.getSession())
                .setPayload(payload)
                .build();
    }

    private final class Stream implements TokenStream {
        private final String replyId;
        private final TextOptions options;
        private final StringBuilder buffer = new StringBuilder();
        private int sequence;
        private boolean ended;

        Stream(String replyId, TextOptions options) {
            this.replyId = replyId;
            this.options = options;
        }

        @Override
        public boolean send(String token) {
            synchronized (Outbox.this) {
                if (ended || cancelled || token == null || token.isEmpty()) {
                    return false;
                }
                if (voice) {
                    return emit(reply(replyId, sequence++, token, false, options));
                }
                buffer.append(token);
                return true;
            }
        }

        @Override
        public void end() {
            synchronized (Outbox.this) {
                if (ended) {
                    return;
                }
                ended = true;
                openStreams--;
                if (voice && sequence > 0) {
                    emit(reply(replyId, sequence, "", true, options));
                } else if (!voice && buffer.length() > 0) {
                    emit(reply(replyId, 0, buffer.toString(), true, options));
                }
                settleIfDone();
            }
        }

        @Override
        public boolean isCancelled() {
            synchronized (Outbox.this) {
                return cancelled;
            }
        }
    }
}
