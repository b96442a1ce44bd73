package io.switchboard.outbound.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.events.Session;
import io.switchboard.twilio.OrchestratorClient;
import io.switchboard.twilio.OrchestratorClient.Participant;
import io.switchboard.twilio.ParticipantReconciler;
import io.switchboard.twilio.Retrier;
import io.switchboard.twilio.TwilioCallException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Conversation Orchestrator replies: a {@code SEND_MESSAGE} action from the agent participant to the customer
 * participant. The participant ids come from the session (ingress reconciles them before the message is published);
 * when missing, they are reconciled here by the same {@link ParticipantReconciler} (an UNKNOWN at the agent's address
 * becomes AI_AGENT, so a reply never goes out from an UNKNOWN participant) and remembered per conversation in this
 * process. A chat conversation's customer is the message's author, from the session.
 */
final class OrchestratorSender {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int REMEMBERED = 10_000;

    private final OrchestratorClient client;
    private final Retrier retrier;
    private final ParticipantReconciler reconciler;
    private final Map<String, Pair> remembered = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Pair> eldest) {
            return size() > REMEMBERED;
        }
    });

    OrchestratorSender(OrchestratorClient client, Retrier retrier) {
        this.client = client;
        this.retrier = retrier;
        this.reconciler = new ParticipantReconciler(client, null, retrier);
    }

    record Pair(String agentId, String customerId) {
    }

    /** Sends the parts in order; blocking. Attempts are added to {@code attempts[0]}. */
    List<String> send(Session session, String channel, String agentAddress, List<String> parts, int[] attempts) {
        Pair pair = participants(session, channel, agentAddress, attempts);
        List<String> ids = new ArrayList<>();
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
        ParticipantReconciler.Reconciled reconciled;
        try {
            reconciled = reconciler.reconcile(conversationId, channel, agentAddress);
        } catch (ParticipantReconciler.Unresolvable e) {
            throw permanent(e.getMessage());
        }
        attempts[0] += 1;
        String agentId = firstNonNull(session.getAgentParticipantId(), reconciled.agent().id());
        String customerId = session.getCustomerParticipantId();
        if (customerId == null) {
            // chat reconciles the agent side only (TAC): the customer is then the channel's CUSTOMER as listed, e.g.
            // the one an agent-started conversation was created with
            Participant customer = reconciled.customer() != null ? reconciled.customer()
                    : reconciled.participants().stream().filter(p -> "CUSTOMER".equals(p.type()) && p.on(channel))
                            .findFirst().orElse(null);
            if (customer == null) {
                throw permanent("No customer participant on " + channel);
            }
            customerId = customer.id();
        }
        Pair pair = new Pair(agentId, customerId);
        remembered.put(conversationId, pair);
        return pair;
    }

    private static String firstNonNull(String first, String second) {
        return first != null ? first : second;
    }

    private static Retrier.Exhausted permanent(String message) {
        return new Retrier.Exhausted(new TwilioCallException(TwilioCallException.Kind.PERMANENT, null, null, message,
                null, null), 0);
    }
}
