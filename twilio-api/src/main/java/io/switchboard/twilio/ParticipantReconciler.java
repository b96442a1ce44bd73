package io.switchboard.twilio;

import io.switchboard.twilio.OrchestratorClient.Address;
import io.switchboard.twilio.OrchestratorClient.Participant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a conversation's participants to the types Switchboard needs before the agent runs, as TAC's
 * {@code _reconcile_participants} does: the participant at the agent's (channel, address) must be {@code AI_AGENT}
 * (or legacy {@code AGENT}; an {@code UNKNOWN} one is promoted, a missing one added, any other type is someone else's
 * and refused); the customer is the {@code CUSTOMER} on the channel, or an {@code UNKNOWN} promoted to
 * {@code CUSTOMER} with the Memory profile found by phone Lookup or created (SMS and voice only, with a store), so
 * Conversation Intelligence results attach to it. Replies then never go out from an UNKNOWN participant. Chat skips
 * the customer side (TAC identifies the chat customer by the message's author). Blocking: call it on a worker thread.
 */
public final class ParticipantReconciler {
    private static final Logger log = LoggerFactory.getLogger(ParticipantReconciler.class);
    /** Types that are Switchboard itself at its own address. */
    public static final Set<String> OWN_TYPES = Set.of("AGENT", "AI_AGENT");
    /** Types on the agent side of a conversation: their messages are never a customer's. */
    public static final Set<String> AGENT_SIDE_TYPES = Set.of("AGENT", "AI_AGENT", "HUMAN_AGENT");
    private static final Set<String> PHONE_CHANNELS = Set.of("SMS", "VOICE");

    private final OrchestratorClient client;
    private final MemoryProfiles profiles;
    private final Retrier retrier;

    /** {@code profiles} null: no Memory store, UNKNOWN customers are promoted without a profile. */
    public ParticipantReconciler(OrchestratorClient client, MemoryProfiles profiles, Retrier retrier) {
        this.client = client;
        this.profiles = profiles;
        this.retrier = retrier;
    }

    /** The reconciled participants: every participant as listed (after the changes), the agent's, the customer's. */
    public record Reconciled(List<Participant> participants, Participant agent, Participant customer) {
        /** The listed participant with this id, or null. */
        public Participant byId(String participantId) {
            return participantId == null ? null
                    : participants.stream().filter(p -> participantId.equals(p.id())).findFirst().orElse(null);
        }
    }

    /** Thrown when the participants cannot be made usable (a conflicting type at the agent's address, no customer). */
    public static final class Unresolvable extends RuntimeException {
        public Unresolvable(String message) {
            super(message);
        }
    }

    /**
     * Reconciles the participants of {@code conversationId} on {@code channel} (Orchestrator name, e.g. {@code SMS})
     * for the agent at {@code agentAddress}.
     *
     * @throws Unresolvable        when they cannot be made usable
     * @throws Retrier.Exhausted   when Twilio failed
     */
    public Reconciled reconcile(String conversationId, String channel, String agentAddress) {
        List<Participant> participants = retrier.call("v2.participants.list", true,
                () -> client.listParticipants(conversationId)).value();
        List<Participant> current = new ArrayList<>(participants);
        Participant agent = participants.stream().filter(p -> p.owns(channel, agentAddress)).findFirst().orElse(null);
        if (agent == null) {
            agent = retrier.call("v2.participants.create", false,
                    () -> client.addParticipant(conversationId, "AI_AGENT", new Address(channel, agentAddress))).value();
            current.add(agent);
            log.info("Reconciled: added the agent as AI_AGENT participant {}", agent.id());
        } else if ("UNKNOWN".equals(agent.type()) || agent.type() == null) {
            agent = promote(conversationId, agent, "AI_AGENT", null, current);
        } else if (!OWN_TYPES.contains(agent.type())) {
            throw new Unresolvable("A " + agent.type() + " participant (" + agent.id() + ") holds the agent's address on "
                    + channel + "; refusing to overwrite it");
        }
        if ("CHAT".equals(channel)) {
            return new Reconciled(List.copyOf(current), agent, null);
        }
        Participant owner = agent;
        Participant customer = current.stream().filter(p -> "CUSTOMER".equals(p.type()) && p.on(channel)
                && !p.owns(channel, agentAddress)).findFirst().orElse(null);
        if (customer == null) {
            Participant unknown = current.stream().filter(p -> "UNKNOWN".equals(p.type()) && p.on(channel)
                    && !p.owns(channel, agentAddress) && p != owner).findFirst()
                    .orElseThrow(() -> new Unresolvable("No customer participant on " + channel));
            customer = promote(conversationId, unknown, "CUSTOMER", profileFor(unknown, channel), current);
        }
        return new Reconciled(List.copyOf(current), agent, customer);
    }

    private Participant promote(String conversationId, Participant participant, String type, String profileId,
                                List<Participant> current) {
        Participant updated = retrier.call("v2.participants.update", true,
                () -> client.updateParticipant(conversationId, participant, type, profileId)).value();
        current.replaceAll(p -> p.id() != null && p.id().equals(participant.id()) ? updated : p);
        log.info("Reconciled: participant {} {} -> {}{}", participant.id(), participant.type(), type,
                profileId == null ? "" : " with profile " + profileId);
        return updated;
    }

    /** TAC: phone channels only; Lookup first, a failed or empty one falls back to create; null when neither works. */
    private String profileFor(Participant customer, String channel) {
        if (profiles == null || !PHONE_CHANNELS.contains(channel)) {
            return null;
        }
        String phone = customer.addresses().stream().filter(a -> channel.equals(a.channel()) && a.address() != null)
                .map(Address::address).findFirst().orElse(null);
        if (phone == null) {
            return null;
        }
        try {
            List<String> found = retrier.call("memory.profiles.lookup", true, () -> profiles.lookup("phone", phone)).value();
            if (!found.isEmpty()) {
                return found.get(0);
            }
        } catch (Retrier.Exhausted e) {
            log.warn("Profile lookup failed ({}); creating the profile", e.last().getMessage());
        }
        try {
            return retrier.call("memory.profiles.create", false, () -> profiles.createWithPhone(phone)).value();
        } catch (Retrier.Exhausted e) {
            log.warn("Profile creation failed ({}); the customer is promoted without a profile", e.last().getMessage());
            return null;
        }
    }
}
