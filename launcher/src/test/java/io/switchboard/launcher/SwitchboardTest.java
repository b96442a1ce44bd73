package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.InvalidConfigurationException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SwitchboardTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void helpListsTheServicesAndToolsButNotDevAndExitsWithZero() {
        CommandLine commandLine = Switchboard.commandLine();
        commandLine.setOut(new PrintWriter(out, true));

        assertThat(commandLine.execute("--help")).isZero();
        assertThat(out.toString()).contains("Usage: switchboard").contains("ingress").contains("transcript");
        // dev (embedded broker, fake Twilio) comes with the dev module's jar, never with the service jar
        assertThat(commandLine.getSubcommands()).containsKeys("ingress", "agent", "topics", "replay")
                .doesNotContainKey("dev");
    }

    @Test
    void versionComesFromTheBuild() {
        CommandLine commandLine = Switchboard.commandLine();
        commandLine.setOut(new PrintWriter(out, true));

        assertThat(commandLine.execute("--version")).isZero();
        assertThat(out.toString()).matches("switchboard \\d+\\.\\d+\\.\\d+.*\\R");
    }

    @Test
    void eachDefinedServiceIsASubCommandThatReportsABadSettingInOneLine() {
        ServiceDefinition echo = new ServiceDefinition("echo-agent", "Replies with what it was told", context -> {
            throw new InvalidConfigurationException("Missing required configuration \"ECHO_PREFIX\" which has no default value.");
        });
        CommandLine commandLine = Switchboard.commandLine(List.of(echo));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));

        assertThat(commandLine.execute("--help")).isZero();
        assertThat(out.toString()).contains("echo-agent").contains("Replies with what it was told");
        assertThat(commandLine.execute("echo-agent", "--bootstrap-servers", "127.0.0.1:9092")).isEqualTo(2);
        assertThat(err.toString()).isEqualToIgnoringNewLines(
                "echo-agent: Missing required configuration \"ECHO_PREFIX\" which has no default value.");
    }
}
