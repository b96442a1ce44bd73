package io.switchboard.launcher.tools;

import io.switchboard.serde.SchemaExport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code switchboard schemas}: the wire contract for agents and readers in other languages. */
@Command(name = "schemas", mixinStandardHelpOptions = true,
        description = "The topics' wire contract for readers and writers in any language.",
        subcommands = {SchemasCommand.Export.class})
public final class SchemasCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code schemas export DIR}. */
    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Writes every released Avro schema (released/vN/*.avsc), the schema each topic is written "
                    + "with now (current/), fingerprints.tsv, topics.json and FRAMING.md (both framings byte by byte) "
                    + "into DIR. Needs no Kafka.")
    public static final class Export implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "DIR", description = "Where to write (created if missing; files of the same name are replaced).")
        Path dir;

        @Override
        public Integer call() throws Exception {
            List<Path> written = SchemaExport.write(dir);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%d files written to %s%n", written.size(), dir.toAbsolutePath());
            out.flush();
            return 0;
        }
    }
}
