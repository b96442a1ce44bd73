package io.switchboard.launcher.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.ids.EventIds;
import io.switchboard.launcher.tools.RecordedConversation.Expected;
import io.switchboard.launcher.tools.ToolsFixture.Run;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code switchboard transcript} against records written to a real broker. */
class TranscriptCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static RecordedConversation conversation;
    private static RecordedConversation neighbour;

    @BeforeAll
    static void record() {
        Instant start = Instant.now();
        conversation = new RecordedConversation("conv_" + EventIds.random(), start);
        // Another conversation on another partition, in the same window: never read for the first one.
        String other;
        do {
            other = "conv_" + EventIds.random();
        } while (TopicReader.partitionOf(other, 12) == TopicReader.partitionOf(conversation.conversationId, 12));
        neighbour = new RecordedConversation(other, start);
    }

    private static List<Expected> entries(JsonNode json) {
        List<Expected> entries = new ArrayList<>();
        json.get("entries").forEach(e -> entries.add(new Expected(e.get("kind").asText(), e.get("channel").asText(),
                e.get("text").asText())));
        return entries;
    }

    @Test
    void voiceThenSmsTranscriptListsEveryStepInOrderWithStreamedTokensJoined() throws Exception {
        Run run = ToolsFixture.run("transcript", conversation.conversationId, "--format", "json",
                "--since", conversation.start.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode json = JSON.readTree(run.out());
        assertThat(entries(json)).containsExactlyElementsOf(conversation.expected);
        assertThat(json.get("entries").get(1).get("turn").asLong()).isEqualTo(2);
        // Only the conversation's partition of each topic in the window was read: its own records, no neighbour's.
        assertThat(json.get("recordsRead").asLong()).isEqualTo(conversation.records);
    }

    @Test
    void sinceAndUntilCutTheTranscriptToTheWindow() throws Exception {
        Run run = ToolsFixture.run("transcript", conversation.conversationId, "--format", "json",
                "--since", conversation.smsAt.toString(), "--until", conversation.smsAt.plusMillis(35).toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(entries(JSON.readTree(run.out())))
                .containsExactlyElementsOf(conversation.expected.subList(conversation.expected.size() - 4,
                        conversation.expected.size() - 1));
    }

    @Test
    void textFormatShowsTimestampsChannelsAndTheJoinedReply() {
        Run run = ToolsFixture.run("transcript", conversation.conversationId, "--since", conversation.start.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("conversation " + conversation.conversationId)
                .contains(conversation.start.plusMillis(20).toString().substring(0, 19))
                .containsPattern("VOICE +reply +agent +\"We open at nine.\"")
                .containsPattern("SMS +message +customer +\"" + java.util.regex.Pattern.quote(RecordedConversation.SMS_TEXT))
                .contains("SENT x3");
    }

    @Test
    void unknownConversationPrintsNothingAndExitsOne() {
        Run run = ToolsFixture.run("transcript", "conv_nobody_" + EventIds.random(), "--since", "10m");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("0 entries");
    }
}
