package io.switchboard.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counters registered once per name and tag values, then cached: a service counts by tag values known only at run
 * time (an event type, a status) without a registry look-up per count. Every service's metrics class keeps its
 * counters here.
 */
public final class TaggedCounters {
    private final MeterRegistry registry;
    /** Keyed by the name followed by the tag keys and values: a list, so no two name/tag combinations can collide. */
    private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();

    public TaggedCounters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The registry the counters are registered with, for a metrics class's other meters (timers, gauges). */
    public MeterRegistry registry() {
        return registry;
    }

    /**
     * The counter {@code name} with these tags, registered at the first call.
     *
     * @param description the meter's description, or null for none; the first call's applies
     * @param tagKeysAndValues tag keys and values in turn: key, value, key, value ...
     */
    public Counter counter(String name, String description, String... tagKeysAndValues) {
        if (tagKeysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException(
                    "tags of " + name + " are not key/value pairs: " + Arrays.toString(tagKeysAndValues));
        }
        String[] key = new String[tagKeysAndValues.length + 1];
        key[0] = name;
        System.arraycopy(tagKeysAndValues, 0, key, 1, tagKeysAndValues.length);
        return counters.computeIfAbsent(List.of(key), k -> Counter.builder(name).tags(tagKeysAndValues)
                .description(description).register(registry));
    }
}
