package io.switchboard.launcher;

import io.switchboard.service.ManagedService;
import picocli.CommandLine.Command;

/** The sub-command of one {@link ServiceDefinition}; {@link Switchboard} adds one per entry of {@link Services}. */
@Command(mixinStandardHelpOptions = true, versionProvider = Switchboard.Version.class)
final class DefinedServiceCommand extends ServiceCommand {
    private final ServiceDefinition definition;

    DefinedServiceCommand(ServiceDefinition definition) {
        this.definition = definition;
    }

    @Override
    protected ManagedService create(ServiceContext context) throws Exception {
        return definition.factory().create(context);
    }
}
