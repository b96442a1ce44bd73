package io.switchboard.launcher;

import java.util.List;

/**
 * Every service the launcher runs, in start order (dependencies first; {@code dev} closes them in reverse).
 * Each entry gives {@code dev} one more service and the jar one more sub-command for running it alone:
 * <pre>{@code
 * new ServiceDefinition("channel-router", "Session lifecycle and memory mode; emits agent events",
 *         context -> ChannelRouterService.create(ChannelRouterConfig.fromEnv(context.env()))),
 * }</pre>
 */
public final class Services {
    private Services() {
    }

    public static List<ServiceDefinition> all() {
        return List.of();
    }
}
