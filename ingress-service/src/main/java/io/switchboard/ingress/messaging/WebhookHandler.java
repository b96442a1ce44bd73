package io.switchboard.ingress.messaging;

import io.switchboard.events.Channel;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.Source;
import io.switchboard.events.inbound.MessageReceived;
import io.switchboard.ingress.InboundPublisher;
import io.switchboard.ingress.WebhookLimit;
import io.switchboard.ingress.http.Forms;
import io.switchboard.ingress.http.ServerSpans;
import io.switchboard.twilio.OrchestratorClient.Participant;
import io.switchboard.twilio.ParticipantReconciler;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * {@code POST /webhook}: Conversation Orchestrator JSON events and classic Conversations v1 form events, told apart
 * by content type and read by {@link MessagingWebhook}. Behind the signature gate ({@link
 * io.switchboard.ingress.http.SignedRoute#formOrJson}: 403 without a valid signature); 400 for a malformed body
 * (a {@link MalformedInput}, answered by the route's failure handler) or another content type, 200 for a well-formed
 * event Switchboard does not act on, 200 after Kafka acknowledged an event it does, 503 (Retry-After) when Kafka does
 * not answer in time or when INGRESS_MAX_IN_FLIGHT webhooks already wait for it.
 */
public final class WebhookHandler implements Handler<RoutingContext> {
    private static final Logger log = LoggerFactory.getLogger(WebhookHandler.class);
    static final String IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token";

    private final InboundPublisher publisher;
    private final MessagingWebhook reader;
    private final ParticipantDirectory participants;
    private final Function<Channel, String> agentAddress;
    private final Set<Channel> channels;

    public WebhookHandler(InboundPublisher publisher, Collection<String> ownAddresses, String configurationId) {
        this(publisher, ownAddresses, configurationId, null, channel -> null, null, EnumSet.allOf(Channel.class));
    }

    /**
     * With {@code reconciler} (orchestrated mode), an Orchestrator message is published only after its conversation's
     * participants are reconciled ({@link ParticipantDirectory}, calls on {@code blocking}); {@code agentAddress} gives
     * the agent's own address per channel (null: the message's recipient). A message of a channel not in
     * {@code channels} (SWITCHBOARD_CHANNELS) is answered 200 and published nowhere, as TAC answers a channel it has
     * not registered: it never reaches an agent.
     */
    public WebhookHandler(InboundPublisher publisher, Collection<String> ownAddresses, String configurationId,
            ParticipantReconciler reconciler, Function<Channel, String> agentAddress, Executor blocking,
            Set<Channel> channels) {
        this.publisher = publisher;
        this.reader = new MessagingWebhook(ownAddresses, configurationId);
        this.participants = reconciler == null ? null : new ParticipantDirectory(reconciler, blocking);
        this.agentAddress = agentAddress;
        this.channels = Set.copyOf(channels);
    }

    @Override
    public void handle(RoutingContext ctx) {
        Optional<InboundEvent> event;
        String token = ctx.request().getHeader(IDEMPOTENCY_HEADER);
        if (Forms.isJson(ctx)) {
            event = reader.orchestrator(Forms.rawBody(ctx), token);
        } else if (Forms.isForm(ctx)) {
            Forms.requireWellFormed(ctx);
            event = reader.conversationsV1Form(Forms.params(ctx), token);
        } else {
            ctx.response().setStatusCode(400).end("Expected application/json or application/x-www-form-urlencoded");
            return;
        }
        if (event.isEmpty()) {
            ctx.response().setStatusCode(200).end();
            return;
        }
        if (event.get().getPayload() instanceof MessageReceived message && !channels.contains(message.getChannel())) {
            MDC.put("conversationId", event.get().getConversationId());
            log.info("{} message not acted on: the channel is not registered (SWITCHBOARD_CHANNELS)", message.getChannel());
            MDC.remove("conversationId");
            ctx.response().setStatusCode(200).end();
            return;
        }
        if (participants != null && event.get().getSource() == Source.ORCHESTRATOR
                && event.get().getPayload() instanceof MessageReceived) {
            reconcileThenPublish(ctx, event.get());
            return;
        }
        publish(ctx, event.get());
    }

    /**
     * TAC's two-tier own-message test and its participant reconciliation, before the message is published: the author
     * participant's type comes from the conversation's (cached) participants — an agent-side author (AGENT, AI_AGENT,
     * HUMAN_AGENT: e.g. a sender-pool number that is not the configured address) is answered 200 with nothing
     * published, so no echo loop; otherwise the message carries the reconciled participant ids and the customer's
     * profile. When the participants cannot be had (Twilio failing, nothing resolvable) the message is published
     * as it came, with a warning: a customer's message is never lost for it (outbound reconciles again at the reply).
     */
    private void reconcileThenPublish(RoutingContext ctx, InboundEvent inbound) {
        MessageReceived message = (MessageReceived) inbound.getPayload();
        String ours = agentAddress.apply(message.getChannel());
        String agent = ours != null ? ours : message.getRecipientAddress();
        String author = message.getAuthorParticipantId();
        Future.fromCompletionStage(participants.participants(inbound.getConversationId(), message.getChannel().name(), agent,
                        author), ctx.vertx().getOrCreateContext())
                .onComplete(ar -> {
                    if (ar.failed()) {
                        MDC.put("conversationId", inbound.getConversationId());
                        log.warn("Participants of the conversation could not be reconciled ({}); the message goes on as it came",
                                ar.cause() instanceof CompletionException c && c.getCause() != null
                                        ? c.getCause().toString() : ar.cause().toString());
                        MDC.remove("conversationId");
                        publish(ctx, inbound);
                        return;
                    }
                    ParticipantReconciler.Reconciled reconciled = ar.result();
                    Participant authorParticipant = reconciled.byId(author);
                    if (authorParticipant != null && authorParticipant.type() != null
                            && ParticipantReconciler.AGENT_SIDE_TYPES.contains(authorParticipant.type())) {
                        ignored(inbound.getConversationId(), "the agent side's own message (author participant "
                                + authorParticipant.type() + ")");
                        ctx.response().setStatusCode(200).end();
                        return;
                    }
                    if (reconciled.customer() != null) {
                        message.setAuthorParticipantId(reconciled.customer().id());
                        if (reconciled.customer().profileId() != null) {
                            message.setProfileId(reconciled.customer().profileId());
                        }
                    }
                    message.setRecipientParticipantId(reconciled.agent().id());
                    publish(ctx, inbound);
                });
    }

    private void publish(RoutingContext ctx, InboundEvent inbound) {
        ServerSpans.describe(ctx, inbound.getConversationId(),
                inbound.getPayload() instanceof MessageReceived message ? message.getChannel() : null);
        publisher.publishWebhook(inbound, ServerSpans.context(ctx))
                .onSuccess(v -> ctx.response().setStatusCode(200).end())
                .onFailure(e -> {
                    if (e instanceof WebhookLimit.Saturated) {
                        ctx.response().setStatusCode(503).putHeader("Retry-After", "1").end("Busy, try again");
                        return;
                    }
                    MDC.put("conversationId", inbound.getConversationId());
                    log.warn("Webhook event {} not acknowledged by Kafka, answering 503: {}", inbound.getEventId(), e.toString());
                    MDC.remove("conversationId");
                    ctx.response().setStatusCode(503).putHeader("Retry-After", "1").end("Try again");
                });
    }

    private static void ignored(String conversationId, String why) {
        MDC.put("conversationId", conversationId);
        log.debug("Webhook not acted on: {}", why);
        MDC.remove("conversationId");
    }
}
