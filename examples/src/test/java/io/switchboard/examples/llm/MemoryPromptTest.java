package io.switchboard.examples.llm;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.Channel;
import io.switchboard.events.Memory;
import io.switchboard.events.Observation;
import io.switchboard.events.PastCommunication;
import io.switchboard.events.Summary;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The memory section of the system prompt, as TAC's MemoryPromptBuilder lays it out. */
class MemoryPromptTest {

    static PastCommunication said(String id, boolean fromAgent, String text, long at) {
        return PastCommunication.newBuilder().setId(id).setConversationId("conv_1").setAuthorAddress("+14155550100")
                .setFromAgent(fromAgent).setChannel(Channel.SMS).setText(text).setOccurredAtMillis(at).build();
    }

    @Test
    void observationsSummariesAndTheRecentMessagesFollowTheAgentsPromptInTacsLayout() {
        Memory memory = Memory.newBuilder()
                .setObservations(List.of(Observation.newBuilder().setId("o1").setContent("Prefers email").build()))
                .setSummaries(List.of(Summary.newBuilder().setId("s1").setContent("Reported a broken blender").build()))
                // newest first, as the memory service ranks them
                .setCommunications(List.of(said("c2", true, "A replacement is on its way.", 2_000),
                        said("c1", false, "My blender arrived broken", 1_000)))
                .build();

        assertThat(MemoryPrompt.compose("You are a helpful assistant.", memory)).isEqualTo("""
                You are a helpful assistant.

                # Customer Context
                You have access to the following information about this customer from previous interactions:

                ## Key Observations
                Important notes about the customer from previous interactions:
                - Prefers email

                ## Past Conversation Summaries
                Summaries of previous conversations with this customer:
                - Reported a broken blender

                ## Recent Message History
                Recent messages exchanged with this customer:
                User: My blender arrived broken
                Assistant: A replacement is on its way.""");
    }

    @Test
    void emptySectionsAreLeftOutAndNoMemoryLeavesThePromptAlone() {
        Memory onlyMessages = Memory.newBuilder().setCommunications(List.of(said("c1", false, "Hi again", 1))).build();
        assertThat(MemoryPrompt.compose("Be brief.", onlyMessages))
                .doesNotContain("## Key Observations").doesNotContain("## Past Conversation Summaries")
                .endsWith("## Recent Message History\nRecent messages exchanged with this customer:\nUser: Hi again");
        assertThat(MemoryPrompt.compose("Be brief.", Memory.newBuilder().build())).isEqualTo("Be brief.");
        assertThat(MemoryPrompt.compose("Be brief.", null)).isEqualTo("Be brief.");
    }
}
