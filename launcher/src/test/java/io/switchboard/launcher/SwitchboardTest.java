package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.launcher.dev.DevCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SwitchboardTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void helpListsDevAndExitsWithZero() {
        CommandLine commandLine = Switchboard.commandLine();
        commandLine.setOut(new PrintWriter(out, true));

        assertThat(commandLine.execute("--help")).isZero();
        assertThat(out.toString()).contains("Usage: switchboard").contains("dev");
    }

    @Test
    void versionComesFromTheBuild() {
        CommandLine commandLine = Switchboard.commandLine();
        commandLine.setOut(new PrintWriter(out, true));

        assertThat(commandLine.execute("--version")).isZero();
        assertThat(out.toString()).matches("switchboard \\d+\\.\\d+\\.\\d+.*\\R");
    }

    @Test
    void devWithAnInvalidPortExitsWithCode2NamingPort() {
        CommandLine commandLine = new CommandLine(DevCommand.withEnvironment(java.util.Map.of("PORT", "eighty")));
        commandLine.setErr(new PrintWriter(err, true));

        assertThat(commandLine.execute("--data-dir", "target/never-created")).isEqualTo(2);
        assertThat(err.toString()).startsWith("dev: ").contains("PORT").contains("eighty");
    }
}
