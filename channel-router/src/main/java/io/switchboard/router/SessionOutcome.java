package io.switchboard.router;

import io.switchboard.events.AgentEvent;
import io.switchboard.events.agent.ConversationEnded;
import java.util.ArrayList;
import java.util.List;

/**
 * What one {@link SessionRules} decision asks for, applied by {@link SessionProcessor}: the agent events to emit (in
 * order), at most one message to hold for its memory, the change of the conversation's stored state, the change of its
 * call-end timer, and why an input was dropped (metrics). Rules only fill it in, so they run without a topology.
 */
final class SessionOutcome {
    /** How the conversation's entry in the sessions store changes. */
    enum StateChange {
        NONE, PUT, DELETE
    }

    private final List<AgentEvent> events = new ArrayList<>();
    private final List<String> dropped = new ArrayList<>();
    private ConversationState state;
    private StateChange stateChange = StateChange.NONE;
    private AgentEvent held;
    private boolean heldOnce;
    private boolean callEndTimerChanged;
    private Long callEndDeadline;

    static SessionOutcome none() {
        return new SessionOutcome();
    }

    SessionOutcome emit(AgentEvent event) {
        events.add(event);
        return this;
    }

    /** A message-ready that waits for its memory (memory_mode {@code once}: an empty query, the result cached). */
    SessionOutcome hold(AgentEvent message, boolean once) {
        this.held = message;
        this.heldOnce = once;
        return this;
    }

    SessionOutcome put(ConversationState state) {
        this.state = state;
        this.stateChange = StateChange.PUT;
        return this;
    }

    SessionOutcome delete(ConversationState state) {
        this.state = state;
        this.stateChange = StateChange.DELETE;
        return this;
    }

    /** Arms the relay-only call-end grace: the conversation ends at {@code deadlineMillis} without an action callback. */
    SessionOutcome setCallEndTimer(long deadlineMillis) {
        callEndTimerChanged = true;
        callEndDeadline = deadlineMillis;
        return this;
    }

    SessionOutcome clearCallEndTimer() {
        callEndTimerChanged = true;
        callEndDeadline = null;
        return this;
    }

    SessionOutcome dropped(String reason) {
        dropped.add(reason);
        return this;
    }

    List<AgentEvent> events() {
        return events;
    }

    AgentEvent held() {
        return held;
    }

    boolean heldOnce() {
        return heldOnce;
    }

    StateChange stateChange() {
        return stateChange;
    }

    /** The state to store (PUT) or whose entry to remove (DELETE); null with NONE. */
    ConversationState state() {
        return state;
    }

    boolean callEndTimerChanged() {
        return callEndTimerChanged;
    }

    /** The new call-end deadline, or null when the timer is cleared (only meaningful when it changed). */
    Long callEndDeadline() {
        return callEndDeadline;
    }

    List<String> dropped() {
        return dropped;
    }

    /** The end this outcome emits, if any. */
    ConversationEnded ended() {
        for (AgentEvent event : events) {
            if (event.getPayload() instanceof ConversationEnded ended) {
                return ended;
            }
        }
        return null;
    }

    boolean isEmpty() {
        return events.isEmpty() && held == null && stateChange == StateChange.NONE && !callEndTimerChanged
                && dropped.isEmpty();
    }
}
