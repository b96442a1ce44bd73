package io.switchboard.agent;

/** {@link SwitchboardAgent#sendResponse} refused: the conversation ended (or is unknown), so nobody would hear it. */
public final class ConversationEndedException extends IllegalStateException {
    public ConversationEndedException(String message) {
        super(message);
    }
}
