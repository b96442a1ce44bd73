package io.switchboard.launcher.tools;

import java.io.PrintWriter;
import java.time.Instant;
import picocli.CommandLine.Option;

/** Which records a tool reads: one conversation (its partition only), a time range, or everything. */
final class Selection {
    @Option(names = "--conversation", paramLabel = "ID", description = "One conversation (reads its partition only).")
    String conversationId;

    @Option(names = "--since", converter = TimeArg.class, paramLabel = "TIME", description = "Range start.")
    Instant since;

    @Option(names = "--until", converter = TimeArg.class, paramLabel = "TIME", description = "Range end.")
    Instant until;

    @Option(names = "--all", description = "Everything on the topics (reads them whole).")
    boolean all;

    /** False, after telling the user what to give, when nothing was selected (reading everything must be asked for). */
    boolean given(String command, PrintWriter err) {
        if (conversationId == null && since == null && until == null && !all) {
            err.println(command + ": give --conversation ID, a range (--since/--until), or --all");
            return false;
        }
        return true;
    }
}
