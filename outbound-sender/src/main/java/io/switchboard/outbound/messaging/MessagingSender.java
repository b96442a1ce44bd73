package io.switchboard.outbound.messaging;

import com.twilio.http.TwilioRestClient;
import io.switchboard.channel.ChannelTraits;
import io.switchboard.events.Channel;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.Session;
import io.switchboard.events.Source;
import io.switchboard.outbound.OutboundConfig;
import io.switchboard.outbound.handoff.ConversationRelease;
import io.switchboard.twilio.MemoryStore;
import io.switchboard.twilio.OrchestratorClient;
import io.switchboard.twilio.RedirectingHttpClient;
import io.switchboard.twilio.Retrier;
import io.switchboard.twilio.TwilioApiMetrics;
import io.switchboard.twilio.TwilioCallException;
import io.switchboard.twilio.TwilioEndpoints;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends a messaging reply through the API its conversation came from: the Conversation Orchestrator for
 * {@code ORCHESTRATOR} sessions, Conversations v1 (Twilio Java SDK) for {@code CONVERSATIONS_V1}. Splits long text at
 * the channel's limit ({@link ChannelTraits}) and sends the parts in order. Blocking: run it on a worker thread.
 */
public final class MessagingSender {
    private final OutboundConfig config;
    private final OrchestratorSender orchestrator;
    private final ConversationsV1Sender v1;
    private final Retrier retrier;
    private final HandoffSender handoffs;
    private final OutreachSender outreach;
    private final TypingIndicatorSender typing;
    private final ConversationRelease release;
    private final String memoryStoreId;

    /**
     * Builds the senders; in orchestrated mode this reads the Memory store id from the Orchestrator configuration
     * (unless {@code TWILIO_MEMORY_STORE_ID} is set), and throws {@link io.switchboard.config.InvalidConfigurationException} naming what is
     * missing when that read fails, so the service does not start.
     */
    public MessagingSender(OutboundConfig config, HttpClient http, TwilioApiMetrics metrics) {
        this.config = config;
        TwilioEndpoints endpoints = config.twilioAccess().endpoints();
        this.retrier = new Retrier(config.retryPolicy(), metrics);
        OrchestratorClient client = config.twilioAccess().orchestrator(http, config.httpTimeout(), metrics);
        this.memoryStoreId = MemoryStore.resolve(client, retrier, config.twilio().conversationConfigurationId(),
                config.twilio().memoryStoreId()).map(MemoryStore::id).orElse(null);
        this.release = new ConversationRelease(client, retrier);
        this.orchestrator = new OrchestratorSender(client, retrier);
        TwilioRestClient sdk = new TwilioRestClient.Builder(config.accountSid(), config.authToken())
                .accountSid(config.accountSid()).region(config.twilio().region())
                .httpClient(new RedirectingHttpClient(endpoints, http, config.httpTimeout())).build();
        this.v1 = new ConversationsV1Sender(sdk, metrics);
        this.handoffs = new HandoffSender(release, sdk, retrier, config.twilio().studioHandoffFlowSid());
        this.outreach = new OutreachSender(client, orchestrator, sdk, retrier,
                config.twilio().conversationConfigurationId(), config.voiceTwimlUrl(), config.voiceCallEventUrl());
        this.typing = new TypingIndicatorSender(sdk);
    }

    /** The Memory store id HandoffData carries as storeId, or null (relay-only without TWILIO_MEMORY_STORE_ID). */
    public String memoryStoreId() {
        return memoryStoreId;
    }

    /**
     * The Orchestrator side of a voice handoff (INACTIVE, status callbacks cleared; see {@link ConversationRelease}),
     * done before the {@code end} frame is sent. Blocking; never throws for a Twilio failure.
     */
    public int releaseForHandoff(String conversationId) {
        return release.release(conversationId);
    }

    /** Shows a WhatsApp typing indicator for the inbound message {@code messageId}; one attempt, throws on failure. */
    public void showTypingIndicator(String messageId) {
        typing.show(messageId);
    }

    /** Starts an agent-initiated messaging conversation (see {@link OutreachSender}). Never throws for a Twilio failure. */
    public SendResult startConversation(OutboundEvent event) {
        Channel channel = event.getSession().getChannel();
        List<String> allowed = config.senderAddresses(channel);
        // the agent may name its sender (session.to), from the channel's allow-list only (RCS: TWILIO_RCS_SENDER_IDS)
        String requested = ChannelTraits.of(channel).withPrefix(event.getSession().getTo());
        if (requested != null && !allowed.contains(requested)) {
            return SendResult.refused("Sender " + requested + " is not one of the agent's " + channel + " senders "
                    + allowed + (channel == Channel.RCS ? " (TWILIO_RCS_SENDER_IDS)" : ""));
        }
        return outreach.startConversation(event, requested != null ? requested : allowed.isEmpty() ? null : allowed.get(0));
    }

    /** Places an agent-initiated call (see {@link OutreachSender}). Never throws for a Twilio failure. */
    public SendResult placeCall(OutboundEvent event) {
        return outreach.placeCall(event, config.senderAddress(Channel.SMS));
    }

    /** Whether a Studio handoff flow is configured ({@code TWILIO_STUDIO_HANDOFF_FLOW_SID}); without one a handoff is refused. */
    public boolean handoffConfigured() {
        return handoffs.configured();
    }

    /**
     * Hands a messaging conversation to a human (see {@link HandoffSender}) with TAC's {@code handoffData}. Never
     * throws for a Twilio failure; only call it when {@link #handoffConfigured()}.
     */
    public SendResult handoff(OutboundEvent event, String handoffData) {
        String agentAddress = config.senderAddress(event.getSession().getChannel());
        return handoffs.handoff(event, agentAddress != null ? agentAddress : event.getSession().getTo(), handoffData);
    }

    /** Sends the reply of {@code event} (its payload must be a {@link Reply}). Never throws for a Twilio failure. */
    public SendResult send(OutboundEvent event) {
        Session session = event.getSession();
        Reply reply = (Reply) event.getPayload();
        ChannelTraits traits = ChannelTraits.of(session.getChannel());
        List<String> parts = TextSplitter.split(reply.getText(), traits.maxMessageLength());
        if (parts.isEmpty()) {
            return new SendResult(List.of(), 0, null, null);
        }
        String channel = session.getChannel().name();
        String agentAddress = config.senderAddress(session.getChannel());
        if (agentAddress == null) {
            agentAddress = session.getTo();
        }
        int[] attempts = {0};
        List<String> ids = new ArrayList<>();
        try {
            if (session.getSource() == Source.CONVERSATIONS_V1) {
                String author = agentAddress;
                for (String part : parts) {
                    Retrier.Attempted<String> sent = retrier.call("v1.messages.create", false,
                            () -> v1.send(session.getConversationId(), author, part));
                    attempts[0] += sent.attempts();
                    ids.add(sent.value());
                }
                return new SendResult(ids, attempts[0], 201, null);
            }
            if (session.getSource() == Source.ORCHESTRATOR) {
                ids.addAll(orchestrator.send(session, channel, agentAddress, parts, attempts));
                return new SendResult(ids, attempts[0], 202, null);
            }
            return new SendResult(ids, 0, null, new TwilioCallException(TwilioCallException.Kind.PERMANENT, null,
                    null, "No Twilio messaging API for source " + session.getSource(), null, null));
        } catch (Retrier.Exhausted e) {
            return new SendResult(ids, attempts[0] + e.attempts(), e.last().httpStatus(), e.last());
        }
    }
}
