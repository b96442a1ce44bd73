package io.switchboard.launcher;

import java.util.Objects;

/**
 * One service the launcher knows: its sub-command name (for running it alone), a one-line description for
 * {@code --help}, and how to build it.
 */
public record ServiceDefinition(String command, String description, ServiceFactory factory) {
    public ServiceDefinition {
        Objects.requireNonNull(command);
        Objects.requireNonNull(description);
        Objects.requireNonNull(factory);
    }
}
