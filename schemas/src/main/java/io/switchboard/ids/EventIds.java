package io.switchboard.ids;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Event and trace ids. Derived ids are deterministic, so a re-run of the same step yields the same id. */
public final class EventIds {
    private EventIds() {
    }

    /** A fresh W3C-style 128-bit trace id, hex. */
    public static String newTraceId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return String.format("%016x%016x", random.nextLong(), random.nextLong());
    }

    /** A random id for events that have no natural one. */
    public static String random() {
        return UUID.randomUUID().toString();
    }

    /** The same parts always give the same id: name-based UUID over the parts joined by a separator. */
    public static String derived(String... parts) {
        return UUID.nameUUIDFromBytes(String.join("\u001f", parts).getBytes(StandardCharsets.UTF_8)).toString();
    }
}
