package io.switchboard.launcher;

import io.switchboard.service.ManagedService;

/** Builds one service from its environment; the launcher starts and closes what it returns. */
@FunctionalInterface
public interface ServiceFactory {
    /**
     * Builds (does not start) the service. A missing or invalid setting throws
     * {@link io.switchboard.config.InvalidConfigurationException} naming the variable.
     */
    ManagedService create(ServiceContext context) throws Exception;
}
