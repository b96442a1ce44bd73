package io.switchboard.launcher.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.launcher.Switchboard;
import io.switchboard.serde.SchemaCatalog;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SchemasCommandTest {
    @TempDir
    Path dir;

    @Test
    void exportWritesTheContractIntoTheDirectoryWithoutKafka() {
        StringWriter out = new StringWriter();
        CommandLine commandLine = Switchboard.commandLine();
        commandLine.setOut(new PrintWriter(out, true));

        assertThat(commandLine.execute("schemas", "export", dir.resolve("contract").toString())).isZero();

        assertThat(out.toString()).contains("files written to");
        assertThat(dir.resolve("contract/FRAMING.md")).exists();
        assertThat(dir.resolve("contract/topics.json")).content().contains("tac.agent.v1");
        SchemaCatalog.Released first = SchemaCatalog.get().released().get(0);
        assertThat(dir.resolve("contract/released").resolve(first.version())
                .resolve(first.schema().getFullName() + ".avsc")).exists();
    }

    @Test
    void exportWithoutADirectoryIsAUsageError() {
        StringWriter err = new StringWriter();
        CommandLine commandLine = Switchboard.commandLine();
        commandLine.setErr(new PrintWriter(err, true));

        assertThat(commandLine.execute("schemas", "export")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required parameter: 'DIR'");
    }
}
