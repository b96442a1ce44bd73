package io.switchboard.memory.service;

import io.switchboard.events.Memory;
import io.switchboard.events.PastCommunication;
import io.switchboard.memory.MemoryQuery;
import io.switchboard.twilio.OrchestratorClient;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What TAC's {@code retrieve_memory} answers when Memory's Lookup or Recall fails and the Conversation Orchestrator is
 * configured: the conversation's own communications ({@code GET /v2/Conversations/{id}/Communications}), no
 * observations or summaries. The Orchestrator does not say who is the agent: an author whose address is the customer's
 * is the customer; without the customer's address, the author's participant type decides (one Participants call).
 * Like the other providers' answers, newest first, at most {@code communicationsLimit} when that is above 0 (TAC
 * returns the whole first page; the limit is the caller's).
 */
final class CommunicationsFallback {
    /** The first page is what TAC reads; a larger page keeps a long conversation's recent end in it. */
    static final int PAGE_SIZE = 100;
    private static final Set<String> AGENT_TYPES = Set.of("AI_AGENT", "HUMAN_AGENT", "AGENT");

    private final OrchestratorClient orchestrator;

    CommunicationsFallback(OrchestratorClient orchestrator) {
        this.orchestrator = orchestrator;
    }

    /** Blocking (one or two Orchestrator calls): run it on a worker thread. */
    Memory communications(MemoryQuery query, Limits limits) {
        List<OrchestratorClient.Communication> listed = orchestrator.listCommunications(query.conversationId(), PAGE_SIZE);
        String customer = Addresses.normalize(query.address());
        Function<OrchestratorClient.Communication, Boolean> fromAgent;
        if (customer != null) {
            fromAgent = c -> !customer.equals(Addresses.normalize(c.authorAddress()));
        } else {
            Map<String, String> types = orchestrator.listParticipants(query.conversationId()).stream()
                    .filter(p -> p.id() != null && p.type() != null)
                    .collect(Collectors.toMap(OrchestratorClient.Participant::id, OrchestratorClient.Participant::type,
                            (a, b) -> a));
            fromAgent = c -> AGENT_TYPES.contains(types.get(Objects.requireNonNullElse(c.authorParticipantId(), "")));
        }
        List<PastCommunication> newestFirst = listed.stream()
                .map(c -> PastCommunication.newBuilder().setId(c.id()).setConversationId(c.conversationId())
                        .setAuthorAddress(c.authorAddress()).setFromAgent(fromAgent.apply(c))
                        .setChannel(TwilioMemory.channel(c.authorChannel())).setText(c.text())
                        .setOccurredAtMillis(TwilioMemory.millis(c.createdAt())).build())
                .sorted(Comparator.comparing((PastCommunication c) -> c.getOccurredAtMillis() == null ? 0L : c.getOccurredAtMillis())
                        .reversed())
                .toList();
        int limit = limits.communications();
        return Memory.newBuilder().setObservations(List.of()).setSummaries(List.of())
                .setCommunications(limit > 0 && newestFirst.size() > limit ? newestFirst.subList(0, limit) : newestFirst)
                .build();
    }
}
