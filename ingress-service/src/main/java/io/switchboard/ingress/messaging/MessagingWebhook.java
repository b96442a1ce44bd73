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
import io.switchboard.ingress.http.MalformedInput;
import io.switchboard.ingress.http.StrictJson;
import io.switchboard.logging.Redaction;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Reads a messaging webhook's wire body into the inbound event Switchboard acts on, or empty for a well-formed event
 * it does not act on: Conversation Orchestrator JSON ({@code COMMUNICATION_CREATED}, {@code CONVERSATION_UPDATED})
 * and Conversations v1 forms ({@code onMessageAdded}, {@code onConversationStateUpdated}). The agent's own messages
 * (its configured addresses, TAC's first tier), other channels and another configuration's updates are not acted on.
 * A body of another shape is {@link MalformedInput} (a 400).
 */
final class MessagingWebhook {
    private static final Logger log = LoggerFactory.getLogger(MessagingWebhook.class);

    private final Set<String> ownAddresses;
    private final String configurationId;

    /** {@code configurationId}: the Orchestrator configuration whose updates are acted on (null: any). */
    MessagingWebhook(Collection<String> ownAddresses, String configurationId) {
        this.ownAddresses = ownAddresses.stream().map(MessagingWebhook::normalize).collect(Collectors.toUnmodifiableSet());
        this.configurationId = configurationId;
    }

    /** An Orchestrator JSON body (raw bytes, checked by {@link StrictJson}). */
    Optional<InboundEvent> orchestrator(byte[] raw, String idempotencyToken) {
        try {
            if (raw.length == 0) {
                throw new MalformedInput("empty body");
            }
            return orchestrator(StrictJson.text(raw), idempotencyToken);
        } catch (DecodeException | ClassCastException | IllegalArgumentException e) {
            throw MalformedInput.of(e);
        }
    }

    /** A Conversations v1 form (its parameters, first value of each). */
    Optional<InboundEvent> conversationsV1Form(Map<String, String> form, String idempotencyToken) {
        try {
            return conversationsV1(form, idempotencyToken);
        } catch (ClassCastException | IllegalArgumentException e) {
            throw MalformedInput.of(e);
        }
    }

    private Optional<InboundEvent> orchestrator(String body, String idempotencyToken) {
        if (body == null || body.isBlank()) {
            throw new MalformedInput("empty body");
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

    private Optional<InboundEvent> conversationsV1(Map<String, String> form, String idempotencyToken) {
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
        throw new MalformedInput(name + " must be an object");
    }

    private static JsonArray optionalArray(Object value, String name) {
        if (value == null) {
            return new JsonArray();
        }
        if (value instanceof JsonArray array) {
            return array;
        }
        throw new MalformedInput(name + " must be an array");
    }

    private static JsonObject object(Object value) {
        if (value instanceof JsonObject object) {
            return object;
        }
        throw new MalformedInput("data must be an object");
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
        throw new MalformedInput(name + " must be a string");
    }

    private static String str(JsonObject object, String name) {
        return str(object, name, null);
    }

    private static String required(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new MalformedInput(name + " is required");
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
