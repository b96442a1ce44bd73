package io.switchboard.launcher.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/** Times on the command line and the report's word diff. */
class ToolArgumentsTest {
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

    @Test
    void timesAreInstantsUtcDateTimesEpochMillisOrAges() {
        assertThat(TimeArg.parse("2026-11-25T09:30:00Z", NOW)).isEqualTo(Instant.parse("2026-11-25T09:30:00Z"));
        assertThat(TimeArg.parse("2026-11-25T11:30:00+02:00", NOW)).isEqualTo(Instant.parse("2026-11-25T09:30:00Z"));
        assertThat(TimeArg.parse("2026-11-25T09:30", NOW)).isEqualTo(Instant.parse("2026-11-25T09:30:00Z"));
        assertThat(TimeArg.parse("2026-11-24", NOW)).isEqualTo(Instant.parse("2026-11-24T00:00:00Z"));
        assertThat(TimeArg.parse("1764064800000", NOW)).isEqualTo(Instant.ofEpochMilli(1764064800000L));
        assertThat(TimeArg.parse("15m", NOW)).isEqualTo(Instant.parse("2026-11-25T09:45:00Z"));
        assertThat(TimeArg.parse("2h", NOW)).isEqualTo(Instant.parse("2026-11-25T08:00:00Z"));
        assertThat(TimeArg.parse("PT90S", NOW)).isEqualTo(Instant.parse("2026-11-25T09:58:30Z"));
        assertThatThrownBy(() -> TimeArg.parse("yesterday", NOW)).isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("'yesterday' is not a time");
    }

    @Test
    void wordDiffMarksRemovedAndAddedWords() {
        assertThat(WordDiff.diff("We open at nine.", "We open at ten today."))
                .isEqualTo("We open at [-nine.-] {+ten today.+}");
        assertThat(WordDiff.diff("", "Hello")).isEqualTo("{+Hello+}");
        assertThat(WordDiff.diff("a b c", "a c")).isEqualTo("a [-b-] c");
        assertThat(WordDiff.sameWords("We  open\n", "We open")).isTrue();
        assertThat(WordDiff.sameWords("We open", "We opened")).isFalse();
    }

    @Test
    void exportAndReplayRefuseToReadEverythingUnlessAsked() {
        for (Object command : new Object[] {new ExportCommand(), new ReplayCommand()}) {
            StringWriter err = new StringWriter();
            CommandLine commandLine = new CommandLine(command).setErr(new PrintWriter(err, true));
            String name = commandLine.getCommandName();

            assertThat(commandLine.execute("--bootstrap-servers", "127.0.0.1:9")).isEqualTo(2);
            assertThat(err.toString().strip())
                    .isEqualTo(name + ": give --conversation ID, a range (--since/--until), or --all");
        }
    }
}
