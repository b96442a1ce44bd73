package io.switchboard.outbound.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.events.Session;
import io.switchboard.twilio.OrchestratorClient;
import io.switchboard.twilio.OrchestratorClient.Address;
import io.switchboard.twilio.OrchestratorClient.Participant;
import io.switchboard.twilio.Retrier;
import io.switchboard.twilio.TwilioCallException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Conversation Orchestrator replies: a {@code SEND_MESSAGE} action from the agent participant to the customer
 * participant. The participant ids come from the session (the router records them from the webhook); when missing,
 * they are reconciled as TAC does — list the participants, take the agent at its own (channel, address) and the
 * CUSTOMER on the channel, and add the agent as {@code AI_AGENT} when it is not there — and remembered per
 * conversation in this process.
 */
final class OrchestratorSender {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> AGENT_TYPES = Set.of("AGENT", "AI_AGENT");
    private static final int REMEMBERED = 10_000;

    private final OrchestratorClient client;
    private final Retrier retrier;
    private final Map<String, Pair> remembered = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Pair> eldest) {
            return size() > REMEMBERED;
        }
    });

    OrchestratorSender(OrchestratorClient client, Retrier retrier) {
        this.client = client;
        this.retrier = retrier;
    }

    record Pair(String agentId, String customerId) {
    }

    /** Sends the parts in order; blocking. Attempts are added to {@code attempts[0]}. */
    List<String> send(Session session, String channel, String agentAddress, List<String> parts, int[] attempts) {
        Pair pair = participants(session, channel, agentAddress, attempts);
        List<String> ids = new java.util.ArrayList<>();
        for (String part : parts) {
            ObjectNode action = JSON.createObjectNode().put("type", "SEND_MESSAGE");
            ObjectNode payload = action.putObject("payload");
            payload.putObject("from").put("channel", channel).put("participantId", pair.agentId());
            payload.putArray("to").addObject().put("channel", channel).put("participantId", pair.customerId());
            payload.putObject("content").put("text", part);
            if (session.getChannelId() != null) {
                payload.putObject("channelSettings").put("channelId", session.getChannelId());
            }
            Retrier.Attempted<String> sent = retrier.call("v2.actions.create", false,
                    () -> client.createAction(session.getConversationId(), action));
            attempts[0] += sent.attempts();
            ids.add(sent.value());
        }
        return ids;
    }

    private Pair participants(Session session, String channel, String agentAddress, int[] attempts) {
        String conversationId = session.getConversationId();
        if (session.getAgentParticipantId() != null && session.getCustomerParticipantId() != null) {
            return new Pair(session.getAgentParticipantId(), session.getCustomerParticipantId());
        }
        Pair known = remembered.get(conversationId);
        if (known != null) {
            return known;
        }
        Retrier.Attempted<List<Participant>> listed = retrier.call("v2.participants.list", true,
                () -> client.listParticipants(conversationId));
        attempts[0] += listed.attempts();
        List<Participant> participants = listed.value();

        String agentId = session.getAgentParticipantId();
        if (agentId == null) {
            Participant atOurAddress = participants.stream().filter(p -> p.owns(channel, agentAddress)).findFirst()
                    .orElse(null);
            if (atOurAddress == null) {
                Retrier.Attempted<Participant> added = retrier.call("v2.participants.create", false,
                        () -> client.addParticipant(conversationId, "AI_AGENT", new Address(channel, agentAddress)));
                attempts[0] += added.attempts();
                agentId = added.value().id();
            } else if (AGENT_TYPES.contains(atOurAddress.type()) || "UNKNOWN".equals(atOurAddress.type())
                    || atOurAddress.type() == null) {
                agentId = atOurAddress.id();
            } else {
                throw permanent("A " + atOurAddress.type() + " participant holds the agent's address on " + channel);
            }
        }
        String customerId = session.getCustomerParticipantId();
        if (customerId == null) {
            customerId = participants.stream().filter(p -> "CUSTOMER".equals(p.type()) && p.on(channel)
                            && !p.owns(channel, agentAddress)).map(Participant::id).findFirst()
                    .or(() -> participants.stream().filter(p -> "UNKNOWN".equals(p.type()) && p.on(channel)
                            && !p.owns(channel, agentAddress)).map(Participant::id).findFirst())
                    .orElseThrow(() -> permanent("No customer participant on " + channel));
        }
        Pair pair = new Pair(agentId, customerId);
        remembered.put(conversationId, pair);
        return pair;
    }

    private static Retrier.Exhausted permanent(String message) {
        return new Retrier.Exhausted(new TwilioCallException(TwilioCallException.Kind.PERMANENT, null, null, message,
                null, null), 0);
    }
}
