package io.switchboard.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DevMainTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void helpListsDevBesideEveryServiceAndToolAndExitsWithZero() {
        CommandLine commandLine = DevMain.commandLine();
        commandLine.setOut(new PrintWriter(out, true));

        assertThat(commandLine.execute("--help")).isZero();
        assertThat(out.toString()).contains("Usage: switchboard").contains("dev").contains("Runs everything on this machine");
        assertThat(commandLine.getSubcommands()).containsKeys("dev", "ingress", "agent", "topics", "replay");
    }

    @Test
    void devWithAnInvalidPortExitsWithCode2NamingPort() {
        CommandLine commandLine = new CommandLine(DevCommand.withEnvironment(Map.of("PORT", "eighty")));
        commandLine.setErr(new PrintWriter(err, true));

        assertThat(commandLine.execute("--data-dir", "target/never-created")).isEqualTo(2);
        assertThat(err.toString()).startsWith("dev: ").contains("PORT").contains("eighty");
    }

    @Test
    void devWithoutAServiceItDoesNotRunExitsWithCode2NamingIt() {
        CommandLine commandLine = new CommandLine(DevCommand.withEnvironment(Map.of()));
        commandLine.setErr(new PrintWriter(err, true));

        assertThat(commandLine.execute("--data-dir", "target/never-created", "--without", "agent,routr")).isEqualTo(2);
        assertThat(err.toString()).startsWith("dev: ").contains("routr").doesNotContain("Exception");
    }
}
