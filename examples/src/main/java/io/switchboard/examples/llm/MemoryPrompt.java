package io.switchboard.examples.llm;

import io.switchboard.events.Memory;
import io.switchboard.events.Observation;
import io.switchboard.events.PastCommunication;
import io.switchboard.events.Summary;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The customer's memory as a system prompt section, laid out as TAC's {@code MemoryPromptBuilder.compose} lays it out
 * (the same headings, order and line formats, so a prompt tuned for TAC reads the same here): after the agent's own
 * prompt, a {@code # Customer Context} header, then {@code ## Key Observations}, {@code ## Past Conversation
 * Summaries} and {@code ## Recent Message History} ({@code User:} / {@code Assistant:} lines), each only when it has
 * something. The message history is put in the order it happened, oldest first, whatever order the memory service
 * ranked it in: a transcript read backwards confuses the model about what was said last.
 */
final class MemoryPrompt {
    private MemoryPrompt() {
    }

    /** {@code systemPrompt}, followed by the memory's section when there is any memory. */
    static String compose(String systemPrompt, Memory memory) {
        String context = context(memory);
        if (context == null) {
            return systemPrompt;
        }
        return systemPrompt == null || systemPrompt.isBlank() ? context : systemPrompt + "\n\n" + context;
    }

    /** The {@code # Customer Context} section, or null without observations, summaries and messages. */
    static String context(Memory memory) {
        if (memory == null) {
            return null;
        }
        List<String> sections = new ArrayList<>();
        section(sections, "## Key Observations", "Important notes about the customer from previous interactions:",
                memory.getObservations().stream().map(Observation::getContent).map(c -> "- " + c).toList());
        section(sections, "## Past Conversation Summaries", "Summaries of previous conversations with this customer:",
                memory.getSummaries().stream().map(Summary::getContent).map(c -> "- " + c).toList());
        section(sections, "## Recent Message History", "Recent messages exchanged with this customer:",
                memory.getCommunications().stream()
                        .sorted(Comparator.comparing(c -> c.getOccurredAtMillis() == null ? 0L : c.getOccurredAtMillis()))
                        .map(MemoryPrompt::line).toList());
        if (sections.isEmpty()) {
            return null;
        }
        return "# Customer Context\n"
                + "You have access to the following information about this customer from previous interactions:\n\n"
                + String.join("\n\n", sections);
    }

    private static String line(PastCommunication c) {
        return (c.getFromAgent() ? "Assistant: " : "User: ") + c.getText();
    }

    private static void section(List<String> sections, String heading, String intro, List<String> lines) {
        if (!lines.isEmpty()) {
            sections.add(heading + "\n" + intro + "\n" + String.join("\n", lines));
        }
    }
}
