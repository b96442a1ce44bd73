package io.switchboard.router;

import io.switchboard.events.Channel;
import io.switchboard.memory.MemoryClient;
import java.net.URI;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * The router's memory settings: the memory mode per channel, the fetch timeout and the client of the memory service
 * (null when every mode is {@link MemoryMode#NEVER}).
 */
final class MemoryRouting {
    private final Map<Channel, MemoryMode> modes;
    private final Duration timeout;
    private final MemoryClient client;

    MemoryRouting(Map<Channel, MemoryMode> modes, Duration timeout, MemoryClient client) {
        this.modes = new EnumMap<>(Channel.class);
        this.modes.putAll(modes);
        this.timeout = timeout;
        this.client = client;
        if (client == null && enabled()) {
            throw new IllegalArgumentException("a memory client is required when a memory mode is not never");
        }
    }

    static MemoryRouting disabled() {
        return new MemoryRouting(Map.of(), Duration.ofSeconds(1), null);
    }

    static MemoryRouting from(RouterConfig config) {
        Map<Channel, MemoryMode> modes = new EnumMap<>(Channel.class);
        for (Channel channel : Channel.values()) {
            modes.put(channel, config.memoryMode(channel));
        }
        boolean enabled = modes.values().stream().anyMatch(mode -> mode != MemoryMode.NEVER);
        MemoryClient client = enabled ? new MemoryClient(URI.create(config.memoryUrl()), config.memoryTimeout(),
                config.internalToken()) : null;
        return new MemoryRouting(modes, config.memoryTimeout(), client);
    }

    MemoryMode modeFor(Channel channel) {
        return modes.getOrDefault(channel, MemoryMode.NEVER);
    }

    boolean enabled() {
        return modes.values().stream().anyMatch(mode -> mode != MemoryMode.NEVER);
    }

    Duration timeout() {
        return timeout;
    }

    MemoryClient client() {
        return client;
    }

    @Override
    public String toString() {
        return enabled() ? "memory modes " + modes + ", timeout " + timeout : "memory off";
    }
}
