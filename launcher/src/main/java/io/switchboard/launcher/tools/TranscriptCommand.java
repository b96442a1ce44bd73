package io.switchboard.launcher.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.switchboard.kafka.KafkaClients;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code switchboard transcript <conversationId>}: one conversation, in order, from the topics. */
@Command(name = "transcript", mixinStandardHelpOptions = true,
        description = {"Prints one conversation in order: inbound messages and prompts, interrupts, agent events, "
                + "replies (streamed tokens joined) and deliveries, with timestamps and channel.",
                "Reads only the conversation's partition of each conversation topic, within --since/--until."})
public final class TranscriptCommand implements Callable<Integer> {
    enum Format { text, json }

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Parameters(index = "0", paramLabel = "CONVERSATION_ID", description = "The conversation id (the records' key).")
    String conversationId;

    @Option(names = "--since", converter = TimeArg.class, paramLabel = "TIME",
            description = "Only records at or after TIME (ISO instant, UTC date-time, epoch ms, or an age: 15m, 2h, 3d).")
    Instant since;

    @Option(names = "--until", converter = TimeArg.class, paramLabel = "TIME", description = "Only records up to TIME.")
    Instant until;

    @Option(names = "--format", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--redact", description = "Mask phone numbers and e-mail addresses.")
    boolean redact;

    @Override
    public Integer call() throws JsonProcessingException {
        KafkaClients clients = kafka.clients();
        Transcript transcript;
        long read;
        try (TopicReader reader = new TopicReader(clients, "switchboard-transcript")) {
            Map<String, List<ConversationRecords.Decoded>> records =
                    ConversationRecords.load(clients, reader, conversationId, since, until);
            transcript = Transcript.of(conversationId, records.getOrDefault(conversationId, List.of()));
            read = reader.recordsRead();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (format == Format.json) {
            var json = transcript.toJson(redact);
            json.put("recordsRead", read);
            out.println(Transcript.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        } else {
            out.print(transcript.toText(redact));
            out.println("(" + transcript.entries().size() + " entries; " + read
                    + " records read from the conversation's partition)");
        }
        out.flush();
        return transcript.entries().isEmpty() ? 1 : 0;
    }
}
