package io.switchboard.launcher.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.ids.EventIds;
import io.switchboard.launcher.tools.ToolsFixture.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code switchboard export}: JSON lines per conversation, addresses masked unless asked otherwise. */
class ExportCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static RecordedConversation first;
    private static RecordedConversation second;

    @BeforeAll
    static void record() {
        // Far from now, so that the range holds these two conversations only.
        Instant start = Instant.now().minusSeconds(3 * 3600);
        first = new RecordedConversation("conv_" + EventIds.random(), start);
        second = new RecordedConversation("conv_" + EventIds.random(), start.plusSeconds(1));
    }

    private static List<JsonNode> lines(String out) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    @Test
    void exportMasksPhoneNumbersAndEmailAddressesByDefault() throws Exception {
        Run run = ToolsFixture.run("export", "--conversation", first.conversationId, "--since", first.start.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).doesNotContain("+14155550123").doesNotContain("jane.doe@example.com")
                .doesNotContain(ToolsFixture.PHONE).contains("***@example.com").contains("+141******23");
        JsonNode line = lines(run.out()).get(0);
        assertThat(line.get("conversationId").asText()).isEqualTo(first.conversationId);
        assertThat(line.get("redacted").asBoolean()).isTrue();
        assertThat(line.get("entries")).hasSize(first.expected.size());
    }

    @Test
    void noRedactKeepsTheAddresses() {
        Run run = ToolsFixture.run("export", "--conversation", first.conversationId, "--since", first.start.toString(),
                "--no-redact");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains(RecordedConversation.SMS_TEXT).contains("\"from\":\"+14155550123\"");
    }

    @Test
    void rangeExportWritesOneLinePerConversationToAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("dataset.jsonl");
        Run run = ToolsFixture.run("export", "--since", first.start.toString(),
                "--until", second.smsAt.plusSeconds(1).toString(), "--output", file.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<JsonNode> lines = lines(Files.readString(file));
        assertThat(lines).extracting(l -> l.get("conversationId").asText())
                .containsExactlyInAnyOrder(first.conversationId, second.conversationId);
        assertThat(Files.readString(file)).doesNotContain("+14155550123");
    }
}
