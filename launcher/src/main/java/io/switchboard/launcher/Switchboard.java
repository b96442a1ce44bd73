package io.switchboard.launcher;

import io.switchboard.launcher.tools.ExportCommand;
import io.switchboard.launcher.tools.GroupsCommand;
import io.switchboard.launcher.tools.ReplayCommand;
import io.switchboard.launcher.tools.SchemasCommand;
import io.switchboard.launcher.tools.TranscriptCommand;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Properties;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code switchboard} command of the service jar: one sub-command per service runs it alone; {@code topics}
 * provisions the catalog; {@code transcript}, {@code replay}, {@code export} and {@code groups} are tools over the
 * topics; {@code schemas export} writes their wire contract for other languages. {@code dev} (everything in one JVM) is not here: the dev module's {@code DevMain} adds it to this command
 * line, so the service jar holds no embedded broker and no fake of Twilio.
 */
@Command(name = "switchboard", mixinStandardHelpOptions = true, versionProvider = Switchboard.Version.class,
        description = "Twilio channels to AI agents, as an event-driven pipeline on Apache Kafka.",
        subcommands = {TopicsCommand.class, TranscriptCommand.class, ReplayCommand.class,
            ExportCommand.class, GroupsCommand.class, SchemasCommand.class})
public final class Switchboard implements Runnable {
    @Spec
    CommandSpec spec;

    /** Sub-commands whose output is their result: they log on stderr (see logback.xml). */
    private static final List<String> TOOLS = List.of("transcript", "replay", "export", "groups", "schemas");

    public static void main(String[] args) {
        System.exit(execute(args, Switchboard::commandLine));
    }

    /**
     * Runs {@code args} on the command line {@code commandLine} builds. A tool's output is its result, so it logs on
     * stderr: chosen here, before the command line (and with it any logger) exists.
     */
    public static int execute(String[] args, Supplier<CommandLine> commandLine) {
        if (args.length > 0 && TOOLS.contains(args[0])) {
            System.setProperty("switchboard.log.target", "System.err");
        }
        return commandLine.get().execute(args);
    }

    /** The command line with every sub-command: the tools and one per entry of {@link Services}. */
    public static CommandLine commandLine() {
        return commandLine(Services.all());
    }

    static CommandLine commandLine(List<ServiceDefinition> services) {
        CommandLine commandLine = new CommandLine(new Switchboard());
        for (ServiceDefinition definition : services) {
            CommandLine sub = new CommandLine(new DefinedServiceCommand(definition));
            sub.getCommandSpec().usageMessage().description(definition.description());
            commandLine.addSubcommand(definition.command(), sub);
        }
        return commandLine;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The project version, from the jar's resources. */
    public static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"switchboard " + version()};
        }

        public static String version() {
            try (InputStream in = Switchboard.class.getResourceAsStream("version.properties")) {
                Properties properties = new Properties();
                if (in != null) {
                    properties.load(in);
                }
                return properties.getProperty("version", "unknown");
            } catch (IOException e) {
                return "unknown";
            }
        }
    }
}
