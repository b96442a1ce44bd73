package io.switchboard.agent;

import io.switchboard.events.agent.AgentInterrupt;

/**
 * The caller spoke over the agent (ConversationRelay {@code interrupt}).
 *
 * @param utteranceUntilInterrupt  what had been spoken of the reply when the caller interrupted
 * @param durationUntilInterruptMs how long the reply had been playing
 * @param turn                     the interrupt's turn; replies to earlier turns are stale
 */
public record Interrupt(String utteranceUntilInterrupt, long durationUntilInterruptMs, long turn) {
    static Interrupt of(AgentInterrupt i) {
        return new Interrupt(i.getUtteranceUntilInterrupt(), i.getDurationUntilInterruptMs(), i.getTurn());
    }
}
