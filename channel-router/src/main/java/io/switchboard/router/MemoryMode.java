package io.switchboard.router;

import java.util.Locale;

/** TAC's {@code memory_mode} of a channel. */
enum MemoryMode {
    /** No memory is attached (TAC's default). */
    NEVER,
    /** Fetched with an empty query at the first message, cached in the session, invalidated when it turns INACTIVE. */
    ONCE,
    /** Fetched for every message, with the message text as query. */
    ALWAYS;

    static MemoryMode parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a memory mode: '" + text + "' (never, once or always)");
        }
    }

    String setting() {
        return name().toLowerCase(Locale.ROOT);
    }
}
