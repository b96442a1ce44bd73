package io.switchboard.agent;

import io.switchboard.events.Memory;
import io.switchboard.events.call.AmdResult;
import io.switchboard.events.call.CallStatus;
import io.switchboard.events.call.RecordingStatus;
import java.util.concurrent.CompletionStage;

/** The callback shapes an agent is written with; each conversation's callbacks run strictly in order. */
public final class Handlers {
    private Handlers() {
    }

    /**
     * A blocking message handler: runs on the agent's worker pool and returns the reply text (null: no reply). On an
     * interrupt its thread is interrupted and its result dropped.
     */
    @FunctionalInterface
    public interface MessageHandler {
        String onMessage(Message message, Session session, Memory memory) throws Exception;
    }

    /** An asynchronous message handler; on an interrupt the returned stage is cancelled. */
    @FunctionalInterface
    public interface AsyncMessageHandler {
        CompletionStage<String> onMessage(Message message, Session session, Memory memory) throws Exception;
    }

    /**
     * A message handler that answers through {@link Reply} (whole replies, streams, end of session). It runs on the
     * worker pool; the message counts as handled when it has returned and every stream it opened has ended, so it
     * may hand a {@link TokenStream} to asynchronous code and return.
     */
    @FunctionalInterface
    public interface ReplyingMessageHandler {
        void onMessage(Message message, Session session, Memory memory, Reply reply) throws Exception;
    }

    /**
     * A call connected (its ConversationRelay {@code setup}), before its first prompt: TAC TypeScript's
     * {@code onSetup}. Answer through {@code reply} — a greeting, a {@code language} or {@code play} frame — or not.
     */
    @FunctionalInterface
    public interface CallStartedHandler {
        void onCallStarted(Session session, CallSetup setup, Reply reply) throws Exception;
    }

    /**
     * Twilio's call status callback ({@code TWILIO_VOICE_CALL_EVENT_PATH}/status): queued, ringing, in-progress,
     * completed, busy, no-answer, failed, canceled. A call that never connected has a session naming the call only.
     */
    @FunctionalInterface
    public interface CallStatusHandler {
        void onCallStatus(Session session, CallStatus status, Reply reply) throws Exception;
    }

    /** Asynchronous answering machine detection ({@code .../amd}): {@code answeredBy} human, machine_end_beep, .... */
    @FunctionalInterface
    public interface AmdHandler {
        void onAmd(Session session, AmdResult amd, Reply reply) throws Exception;
    }

    /** A recording's status ({@code .../recording}): in-progress, completed (with its URL), absent, failed. */
    @FunctionalInterface
    public interface RecordingHandler {
        void onRecording(Session session, RecordingStatus recording, Reply reply) throws Exception;
    }

    /** Called when the caller interrupts; the interrupted message handler has been cancelled already. */
    @FunctionalInterface
    public interface InterruptHandler {
        void onInterrupt(Session session, Interrupt interrupt) throws Exception;
    }

    /** A DTMF key press; return a reply text or null. */
    @FunctionalInterface
    public interface DtmfHandler {
        String onDtmf(Session session, String digit) throws Exception;
    }

    /** The conversation ended. */
    @FunctionalInterface
    public interface EndedHandler {
        void onConversationEnded(Session session, Ended ended) throws Exception;
    }

    /**
     * A messaging handoff the agent asked for did not happen (refused by outbound-sender, or Studio failed after its
     * retries), TAC's {@code handoff_failed}: the conversation stays with the agent and its later messages reach it.
     * Return a text to send to the customer (e.g. that the transfer failed), or null.
     */
    @FunctionalInterface
    public interface HandoffFailedHandler {
        String onHandoffFailed(Session session, String reason) throws Exception;
    }

    /**
     * Conversation Intelligence operator results of a conversation (tac.ci.v1), for agents that want them; runs on
     * the worker pool, a conversation's results in order.
     */
    @FunctionalInterface
    public interface IntelligenceHandler {
        void onIntelligence(CiResult result) throws Exception;
    }
}
