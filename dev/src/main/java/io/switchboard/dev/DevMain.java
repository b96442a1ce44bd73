package io.switchboard.dev;

import io.switchboard.launcher.Switchboard;
import picocli.CommandLine;

/**
 * The {@code switchboard-dev.jar} entry point: the launcher's {@code switchboard} command line plus {@code dev}, which
 * runs the embedded broker, every service, the local stand-in for Twilio and the simulator in one JVM.
 */
public final class DevMain {
    private DevMain() {
    }

    public static void main(String[] args) {
        System.exit(Switchboard.execute(args, DevMain::commandLine));
    }

    /** Every sub-command of {@link Switchboard#commandLine()}, and {@code dev}. */
    public static CommandLine commandLine() {
        return Switchboard.commandLine().addSubcommand(new DevCommand());
    }
}
