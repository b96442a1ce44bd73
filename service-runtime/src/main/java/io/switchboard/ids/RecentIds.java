package io.switchboard.ids;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The ids a process saw lately, for dropping copies: insertion-ordered, forgetting the oldest beyond a bound, so
 * memory stays flat however long the process runs. Thread-safe.
 */
public final class RecentIds {
    private RecentIds() {
    }

    /** An empty set that keeps at most {@code max} ids, the most recently added. */
    public static Set<String> bounded(int max) {
        return Collections.synchronizedSet(Collections.newSetFromMap(boundedMap(max)));
    }

    /**
     * An empty map that keeps at most {@code max} ids, the most recently added, each with a value of the caller's
     * (where the first copy was seen, for example). Thread-safe.
     */
    public static <V> Map<String, V> boundedMap(int max) {
        return Collections.synchronizedMap(new LinkedHashMap<>(Math.min(max, 1024), 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > max;
            }
        });
    }
}
