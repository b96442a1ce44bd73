package io.switchboard.launcher.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.kafka.KafkaClients;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code switchboard export}: conversations as JSON lines for evaluation datasets, one line per conversation
 * ({@code {"conversationId", "entries": [...]}}, the transcript's JSON), phone numbers and e-mail addresses masked
 * unless {@code --no-redact}.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Exports one conversation (--conversation) or every conversation with records in a time range "
                + "(--since/--until) as JSON lines, one conversation per line.",
                "Phone numbers and e-mail addresses are masked unless --no-redact."})
public final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    Selection selection;

    @Option(names = "--no-redact", description = "Keep phone numbers and e-mail addresses (masked by default).")
    boolean noRedact;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
    Path output;

    @Override
    public Integer call() throws IOException {
        if (!selection.given("export", spec.commandLine().getErr())) {
            return 2;
        }
        KafkaClients clients = kafka.clients();
        Map<String, List<ConversationRecords.Decoded>> records;
        try (TopicReader reader = new TopicReader(clients, "switchboard-export")) {
            records = ConversationRecords.load(clients, reader, selection.conversationId, selection.since, selection.until);
        }
        boolean redact = !noRedact;
        if (output == null) {
            write(records, redact, spec.commandLine().getOut());
            return 0;
        }
        int lines;
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(output, StandardCharsets.UTF_8))) {
            lines = write(records, redact, out);
        }
        spec.commandLine().getErr().println("export: " + lines + " conversation(s) written to " + output);
        return 0;
    }

    private static int write(Map<String, List<ConversationRecords.Decoded>> records, boolean redact, PrintWriter out)
            throws IOException {
        int lines = 0;
        for (Map.Entry<String, List<ConversationRecords.Decoded>> conversation : records.entrySet()) {
            ObjectNode json = Transcript.of(conversation.getKey(), conversation.getValue()).toJson(redact);
            json.put("redacted", redact);
            out.println(Transcript.JSON.writeValueAsString(json));
            lines++;
        }
        out.flush();
        return lines;
    }
}
