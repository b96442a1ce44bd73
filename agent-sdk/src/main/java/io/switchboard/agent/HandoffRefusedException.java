package io.switchboard.agent;

/**
 * {@link Reply#handoff} was refused before anything was sent: a messaging handoff needs a Studio flow
 * ({@code TWILIO_STUDIO_HANDOFF_FLOW_SID}) to give the conversation to; without one the customer would be left with
 * nobody. The conversation stays with the agent. The message says what is missing.
 */
public final class HandoffRefusedException extends IllegalStateException {
    public HandoffRefusedException(String message) {
        super(message);
    }
}
