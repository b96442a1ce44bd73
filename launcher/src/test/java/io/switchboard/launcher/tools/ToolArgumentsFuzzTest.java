package io.switchboard.launcher.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.switchboard.testkit.FuzzInputs;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * The tools' time and selection arguments on any input: {@link TimeArg} answers an instant or a
 * {@link TypeConversionException} naming the value (picocli's usage error), never another exception; every instant
 * written as ISO-8601 or (from 10 digits) as epoch millis reads back as itself; {@code export} and {@code replay}
 * parse any {@code --conversation/--since/--until/--all} line into a selection or a usage error.
 */
class ToolArgumentsFuzzTest {
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

    /** Lines: a time argument, then values for --conversation, --since, --until (a line starting "all" adds --all). */
    @FuzzTest
    void anyTimeOrSelection(byte[] input) {
        List<String> f = FuzzInputs.fields(input, 5);
        try {
            FuzzInputs.bounded(() -> TimeArg.parse(f.get(0), NOW));
        } catch (TypeConversionException refused) {
            assertThat(refused.getMessage()).contains("is not a time");
        }
        if (input.length >= 8) {
            Instant instant = Instant.ofEpochMilli(ByteBuffer.wrap(input).getLong() % 100_000_000_000_000L);
            assertThat(TimeArg.parse(instant.toString(), NOW)).isEqualTo(instant);
            if (instant.toEpochMilli() >= 1_000_000_000L) {
                assertThat(TimeArg.parse(Long.toString(instant.toEpochMilli()), NOW)).isEqualTo(instant);
            }
        }
        List<String> args = new ArrayList<>();
        String[] options = {"--conversation", "--since", "--until"};
        for (int i = 0; i < options.length; i++) {
            if (!f.get(i + 1).isEmpty()) {
                args.add(options[i]);
                args.add(f.get(i + 1));
            }
        }
        if (f.get(4).startsWith("all")) {
            args.add("--all");
        }
        for (Object command : new Object[] {new ExportCommand(), new ReplayCommand()}) {
            try {
                new CommandLine(command).parseArgs(args.toArray(String[]::new));
            } catch (ParameterException usage) {
                assertThat(usage.getMessage()).isNotBlank();
            }
        }
    }
}
