package io.switchboard.ingress.messaging;

import io.switchboard.channel.ChannelTraits;
import io.switchboard.events.Channel;
import io.switchboard.events.ConversationStatus;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.Source;
import io.switchboard.events.inbound.ConversationStateChanged;
import io.switchboard.events.inbound.MessageReceived;
import io.switchboard.ids.EventIds;
import io.switchboard.ingress.InboundEvents;
import io.switchboard.ingress.InboundPublisher;
import io.switchboard.ingress.WebhookLimit;
import io.switchboard.ingress.http.Forms;
import io.switchboard.ingress.http.SignatureCheck;
import io.switchboard.ingress.http.StrictJson;
import io.switchboard.logging.Redaction;
import io.switchboard.twilio.OrchestratorClient.Participant;
import io.switchboard.twilio.ParticipantReconciler;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * {@code POST /webhook}: Conversation Orchestrator JSON events and classic Conversations v1 form events, told apart
 * by content type. 403 without a valid signature, 400 for a malformed body, 200 for a well-formed event Switchboard
 * does not act on, 200 after Kafka acknowledged an event it does, 503 (Retry-After) when Kafka does not answer in time
 * or when INGRESS_MAX_IN_FLIGHT webhooks already wait for it.
 */
public final class WebhookHandler implements Handler<RoutingContext> {
    private static final Logger log = LoggerFactory.getLogger(WebhookHandler.class);
    static final String IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token";

    private final SignatureCheck signatures;
    private final InboundPublisher publisher;
    private final Set<String> ownAddresses;
    private final String configurationId;
    private final ParticipantDirectory participants;
    private final Function<Channel, String> agentAddress;

    public WebhookHandler(SignatureCheck signatures, InboundPublisher publisher, Collection<String> ownAddresses,
            String configurationId) {
        this(signatures, publisher, ownAddresses, configurationId, null, channel -> null, null);
    }

    /**
     * With {@code reconciler} (orchestrated mode), an Orchestrator message is published only after its conversation's
     * participants are reconciled ({@link ParticipantDirectory}, calls on {@code blocking}); {@code agentAddress} gives
     * the agent's own address per channel (null: the message's recipient).
     */
    public WebhookHandler(SignatureCheck signatures, InboundPublisher publisher, Collection<String> ownAddresses,
            String configurationId, ParticipantReconciler reconciler, Function<Channel, String> agentAddress,
            Executor blocking) {
        this.signatures = signatures;
        this.publisher = publisher;
        this.ownAddresses = ownAddresses.stream().map(WebhookHandler::normalize).collect(Collectors.toUnmodifiableSet());
        this.configurationId = configurationId;
        this.participants = reconciler == null ? null : new ParticipantDirectory(reconciler, blocking);
        this.agentAddress = agentAddress;
    }

    /** Thrown for a body that is not a well-formed event: 400. */
    static final class Malformed extends RuntimeException {
        Malformed(String message) {
            super(message);
        }
    }

    @Override
    public void handle(RoutingContext ctx) {
        Optional<InboundEvent> event;
        try {
            if (Forms.isJson(ctx)) {
                byte[] raw = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
                if (!signatures.json(ctx.request(), raw)) {
                    Forms.forbidden(ctx);
                    return;
                }
                if (raw.length == 0) {
                    throw new Malformed("empty body");
                }
                event = orchestrator(StrictJson.text(raw), ctx.request().getHeader(IDEMPOTENCY_HEADER));
            } else if (Forms.isForm(ctx)) {
                Map<String, String> form = Forms.params(ctx);
                if (!signatures.form(ctx.request(), form)) {
                    Forms.forbidden(ctx);
                    return;
                }
                Forms.requireWellFormed(ctx);
                event = conversationsV1(form, ctx.request().getHeader(IDEMPOTENCY_HEADER));
            } else {
                ctx.response().setStatusCode(400).end("Expected application/json or application/x-www-form-urlencoded");
                return;
            }
        } catch (Malformed | DecodeException | ClassCastException | IllegalArgumentException e) {
            String why = Redaction.mask(String.valueOf(e.getMessage()));
            log.warn("Malformed webhook: {}", why);
            ctx.response().setStatusCode(400).end("Malformed webhook: " + Forms.publicReason(e));
            return;
        }
        if (event.isEmpty()) {
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
                                ar.cause() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
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
        publisher.publishWebhook(inbound)
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

    Optional<InboundEvent> orchestrator(String body, String idempotencyToken) {
        if (body == null || body.isBlank()) {
            throw new Malformed("empty body");
        }
        JsonObject json = new JsonObject(body);
        String eventType = required(str(json, "eventType"), "eventType");
        Object dataValue = json.getValue("data");
        switch (eventType) {
            case "COMMUNICATION_CREATED" -> {
                JsonObject data = object(dataValue);
                String id = required(str(data, "id"), "data.id");
                String conversationId = required(str(data, "conversationId"), "data.conversationId");
                JsonObject author = optionalObject(data.getValue("author"), "data.author");
                JsonObject content = optionalObject(data.getValue("content"), "data.content");
                String text = str(content, "text");
                Optional<ChannelTraits> channel = messagingChannel(str(author, "channel"));
                String address = str(author, "address", "");
                if (channel.isEmpty()) {
                    return ignored(conversationId, "channel " + str(author, "channel"));
                }
                if (text == null || text.isBlank()) {
                    return ignored(conversationId, "empty text");
                }
                // TAC's first tier: the configured address; the author participant's type is the second (reconcileThenPublish)
                if (isOwn(address)) {
                    return ignored(conversationId, "the agent's own message");
                }
                JsonArray recipients = optionalArray(data.getValue("recipients"), "data.recipients");
                JsonObject recipient = recipients.isEmpty() ? new JsonObject()
                        : optionalObject(recipients.getValue(0), "data.recipients[0]");
                MessageReceived message = MessageReceived.newBuilder()
                        .setChannel(channel.get().channel())
                        .setText(text)
                        .setAuthorAddress(address)
                        .setAuthorParticipantId(str(author, "participantId"))
                        .setRecipientAddress(str(recipient, "address"))
                        .setRecipientParticipantId(str(recipient, "participantId"))
                        .setCommunicationId(id)
                        .setChannelId(str(data, "channelId"))
                        .setAccountSid(str(data, "accountId"))
                        .build();
                logReceived(conversationId, message);
                return Optional.of(InboundEvents.of(id, conversationId, Source.ORCHESTRATOR, message));
            }
            case "CONVERSATION_UPDATED" -> {
                JsonObject data = object(dataValue);
                String conversationId = required(str(data, "id"), "data.id");
                String status = required(str(data, "status"), "data.status");
                String eventConfiguration = str(data, "configurationId");
                if (configurationId != null && eventConfiguration != null && !configurationId.equals(eventConfiguration)) {
                    return ignored(conversationId, "another configuration " + eventConfiguration);
                }
                String stamp = idempotencyToken != null ? idempotencyToken
                        : str(json, "timestamp", str(data, "updatedAt", ""));
                ConversationStateChanged changed = ConversationStateChanged.newBuilder()
                        .setStatus(status(status)).build();
                return Optional.of(InboundEvents.of(EventIds.derived(conversationId, "state", status, stamp),
                        conversationId, Source.ORCHESTRATOR, changed));
            }
            default -> {
                log.debug("Orchestrator event {} not acted on", eventType);
                return Optional.empty();
            }
        }
    }

    Optional<InboundEvent> conversationsV1(Map<String, String> form, String idempotencyToken) {
        String eventType = required(form.get("EventType"), "EventType");
        switch (eventType) {
            case "onMessageAdded" -> {
                String conversationSid = required(form.get("ConversationSid"), "ConversationSid");
                String messageSid = required(form.get("MessageSid"), "MessageSid");
                String author = form.getOrDefault("Author", "");
                String body = form.get("Body");
                if (body == null || body.isBlank()) {
                    return ignored(conversationSid, "empty text");
                }
                if (isOwn(author)) {
                    return ignored(conversationSid, "the agent's own message");
                }
                String source = form.get("Source");
                Optional<ChannelTraits> channel = "SDK".equalsIgnoreCase(source) ? Optional.of(ChannelTraits.CHAT)
                        : messagingChannel(source).or(() -> ChannelTraits.fromAddress(author));
                if (channel.isEmpty()) {
                    return ignored(conversationSid, "no channel for source " + source);
                }
                MessageReceived message = MessageReceived.newBuilder()
                        .setChannel(channel.get().channel())
                        .setText(body)
                        .setAuthorAddress(author)
                        .setAuthorParticipantId(form.get("ParticipantSid"))
                        .setCommunicationId(messageSid)
                        .setAccountSid(form.get("AccountSid"))
                        .setAttributes(form.get("Attributes"))
                        .build();
                logReceived(conversationSid, message);
                return Optional.of(InboundEvents.of(messageSid, conversationSid, Source.CONVERSATIONS_V1, message));
            }
            case "onConversationStateUpdated" -> {
                String conversationSid = required(form.get("ConversationSid"), "ConversationSid");
                String to = required(form.get("StateTo"), "StateTo");
                String from = form.get("StateFrom");
                String stamp = idempotencyToken != null ? idempotencyToken
                        : form.getOrDefault("DateUpdated", form.getOrDefault("DateCreated", ""));
                ConversationStateChanged changed = ConversationStateChanged.newBuilder()
                        .setStatus(status(to))
                        .setPreviousStatus(from == null || from.isBlank() ? null : status(from))
                        .build();
                return Optional.of(InboundEvents.of(EventIds.derived(conversationSid, "state", to.toUpperCase(Locale.ROOT), stamp),
                        conversationSid, Source.CONVERSATIONS_V1, changed));
            }
            default -> {
                log.debug("Conversations v1 event {} not acted on", eventType);
                return Optional.empty();
            }
        }
    }

    /** Only the messaging channels: a VOICE, EMAIL, API or SYSTEM communication is not a message for the agent. */
    private static Optional<ChannelTraits> messagingChannel(String name) {
        return ChannelTraits.fromTwilioName(name).filter(t -> t.channel() != Channel.VOICE);
    }

    private boolean isOwn(String address) {
        return address != null && !address.isBlank() && ownAddresses.contains(normalize(address));
    }

    /** `whatsapp:+1555…` and `+1555…` are the same address for telling own messages apart. */
    static String normalize(String address) {
        String a = address.trim().toLowerCase(Locale.ROOT);
        for (ChannelTraits traits : ChannelTraits.values()) {
            if (!traits.addressPrefix().isEmpty() && a.startsWith(traits.addressPrefix())) {
                return a.substring(traits.addressPrefix().length());
            }
        }
        return a;
    }

    private static ConversationStatus status(String value) {
        try {
            return ConversationStatus.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return ConversationStatus.UNKNOWN;
        }
    }

    /** An optional object field: absent or null is empty, any other type is a malformed webhook. */
    private static JsonObject optionalObject(Object value, String name) {
        if (value == null) {
            return new JsonObject();
        }
        if (value instanceof JsonObject object) {
            return object;
        }
        throw new Malformed(name + " must be an object");
    }

    private static JsonArray optionalArray(Object value, String name) {
        if (value == null) {
            return new JsonArray();
        }
        if (value instanceof JsonArray array) {
            return array;
        }
        throw new Malformed(name + " must be an array");
    }

    private static JsonObject object(Object value) {
        if (value instanceof JsonObject object) {
            return object;
        }
        throw new Malformed("data must be an object");
    }

    /** A string field (absent: {@code fallback}); a present value of another JSON type is a malformed webhook. */
    private static String str(JsonObject object, String name, String fallback) {
        Object value = object.getValue(name);
        if (value == null) {
            return fallback;
        }
        if (value instanceof String s) {
            return s;
        }
        throw new Malformed(name + " must be a string");
    }

    private static String str(JsonObject object, String name) {
        return str(object, name, null);
    }

    private static String required(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new Malformed(name + " is required");
        }
        return value;
    }

    private static Optional<InboundEvent> ignored(String conversationId, String why) {
        MDC.put("conversationId", conversationId);
        log.debug("Webhook not acted on: {}", why);
        MDC.remove("conversationId");
        return Optional.empty();
    }

    private static void logReceived(String conversationId, MessageReceived message) {
        MDC.put("conversationId", conversationId);
        log.info("{} message {} from {}", message.getChannel(), message.getCommunicationId(),
                Redaction.mask(message.getAuthorAddress().toString()));
        MDC.remove("conversationId");
    }
}
