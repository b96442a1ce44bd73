package io.switchboard.twilio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A small blocking JSON client of the Conversation Orchestrator (v2) API, which the Twilio Java SDK does not cover:
 * conversations, participants, actions and configurations. Basic auth with the API key and secret, as TAC does. Failures become
 * {@link TwilioCallException}s classified for retrying; call it on a worker thread.
 */
public final class OrchestratorClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Pages of one list call followed at most (a call SID's conversations fit in one page of 50). */
    private static final int MAX_PAGES = 10;

    private final TwilioEndpoints endpoints;
    private final HttpClient http;
    private final String authorization;
    private final Duration timeout;
    private final TwilioApiMetrics metrics;

    public OrchestratorClient(TwilioEndpoints endpoints, HttpClient http, String user, String password, Duration timeout,
                              TwilioApiMetrics metrics) {
        this.endpoints = endpoints;
        this.http = http;
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.timeout = timeout;
        this.metrics = metrics;
    }

    /** A participant address: {@code {channel, address}}. */
    public record Address(String channel, String address) {
    }

    /** A participant as the API lists it ({@code name} may be null; {@code profileId} is the Memory profile Twilio
     * resolved, null if none). */
    public record Participant(String id, String type, List<Address> addresses, String name, String profileId) {
        public Participant(String id, String type, List<Address> addresses) {
            this(id, type, addresses, null, null);
        }

        /** The participant's address on {@code channel}, or null. */
        public String addressOn(String channel) {
            return addresses.stream().filter(a -> channel.equals(a.channel())).map(Address::address).findFirst()
                    .orElse(null);
        }

        public boolean owns(String channel, String address) {
            return addresses.stream().anyMatch(a -> channel.equals(a.channel()) && address != null
                    && address.equals(a.address()));
        }

        public boolean on(String channel) {
            return addresses.stream().anyMatch(a -> channel.equals(a.channel()));
        }
    }

    /** {@code GET /v2/Conversations/{id}/Participants}. */
    public List<Participant> listParticipants(String conversationId) {
        JsonNode body = send("participants.list", "GET", "/v2/Conversations/" + encode(conversationId) + "/Participants", null);
        List<Participant> out = new ArrayList<>();
        for (JsonNode p : body.path("participants")) {
            out.add(participant(p));
        }
        return out;
    }

    /** {@code POST /v2/Conversations/{id}/Participants} with one address and a type (e.g. {@code AI_AGENT}). */
    public Participant addParticipant(String conversationId, String type, Address address) {
        ObjectNode request = JSON.createObjectNode().put("type", type);
        request.putArray("addresses").addObject().put("channel", address.channel()).put("address", address.address());
        return participant(send("participants.create", "POST",
                "/v2/Conversations/" + encode(conversationId) + "/Participants", request));
    }

    /**
     * {@code PUT /v2/Conversations/{id}/Participants/{pid}}: a full replacement (what is left out is cleared), so the
     * participant's addresses and name go back unchanged with its new {@code type} and {@code profileId} (null: the
     * one it has), as TAC's reconciliation does.
     */
    public Participant updateParticipant(String conversationId, Participant participant, String type, String profileId) {
        ObjectNode request = JSON.createObjectNode().put("type", type);
        if (participant.name() != null) {
            request.put("name", participant.name());
        }
        String profile = profileId != null ? profileId : participant.profileId();
        if (profile != null) {
            request.put("profileId", profile);
        }
        var addresses = request.putArray("addresses");
        for (Address a : participant.addresses()) {
            addresses.addObject().put("channel", a.channel()).put("address", a.address());
        }
        return participant(send("participants.update", "PUT", "/v2/Conversations/" + encode(conversationId)
                + "/Participants/" + encode(participant.id()), request));
    }

    /** {@code POST /v2/Conversations/{id}/Actions}; returns the action id. */
    public String createAction(String conversationId, ObjectNode action) {
        return send("actions.create", "POST", "/v2/Conversations/" + encode(conversationId) + "/Actions", action)
                .path("id").asText(null);
    }

    /** {@code PUT /v2/Conversations/{id}} with {@code {status}} (e.g. {@code INACTIVE} on a handoff). */
    public void updateStatus(String conversationId, String status) {
        send("conversations.update", "PUT", "/v2/Conversations/" + encode(conversationId),
                JSON.createObjectNode().put("status", status));
    }

    /** {@code PATCH /v2/Conversations/{id}} with {@code {"configuration":{"statusCallbacks":[]}}}: its webhooks stop. */
    public void clearStatusCallbacks(String conversationId) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("configuration").putArray("statusCallbacks");
        send("conversations.patch", "PATCH", "/v2/Conversations/" + encode(conversationId), body);
    }

    /** What Switchboard needs of an Orchestrator configuration ({@code GET /v2/ControlPlane/Configurations/{id}}). */
    public record Configuration(String id, String memoryStoreId) {
    }

    /**
     * {@code GET /v2/ControlPlane/Configurations/{id}}: TAC reads the Memory store of a deployment from its
     * {@code memoryStoreId} at start-up. {@code memoryStoreId} is null when the configuration has none.
     */
    public Configuration fetchConfiguration(String configurationId) {
        JsonNode body = send("configurations.fetch", "GET",
                "/v2/ControlPlane/Configurations/" + encode(configurationId), null);
        String store = body.path("memoryStoreId").asText(null);
        return new Configuration(body.path("id").asText(configurationId), store == null || store.isBlank() ? null : store);
    }

    /**
     * A communication of a conversation as {@code GET /v2/Conversations/{id}/Communications} lists it: the author's
     * address, channel and participant id (the Orchestrator gives no author type), the text (a message's or a voice
     * transcription's) and when it was created.
     */
    public record Communication(String id, String conversationId, String authorAddress, String authorChannel,
                                String authorParticipantId, String text, String createdAt) {
    }

    /**
     * {@code GET /v2/Conversations/{id}/Communications?pageSize=n}: the first page of a conversation's communications.
     * TAC reads it when Memory's Lookup or Recall fails, so the agent still sees the conversation so far. Items
     * without text are left out.
     */
    public List<Communication> listCommunications(String conversationId, int pageSize) {
        JsonNode body = send("communications.list", "GET", "/v2/Conversations/" + encode(conversationId)
                + "/Communications?pageSize=" + pageSize, null);
        List<Communication> out = new ArrayList<>();
        for (JsonNode c : body.path("communications")) {
            JsonNode author = c.path("author");
            String text = c.path("content").path("text").asText(null);
            if (text == null) {
                continue;
            }
            out.add(new Communication(c.path("id").asText(null), c.path("conversationId").asText(conversationId),
                    author.path("address").asText(null), author.path("channel").asText(null),
                    author.path("participantId").asText(null), text,
                    c.hasNonNull("occurredAt") ? c.get("occurredAt").asText() : c.path("createdAt").asText(null)));
        }
        return out;
    }

    private static Participant participant(JsonNode p) {
        List<Address> addresses = new ArrayList<>();
        for (JsonNode a : p.path("addresses")) {
            addresses.add(new Address(a.path("channel").asText(null), a.path("address").asText(null)));
        }
        String profileId = p.path("profileId").asText(null);
        return new Participant(p.path("id").asText(null), p.path("type").asText(null), addresses,
                p.path("name").asText(null), profileId == null || profileId.isBlank() ? null : profileId);
    }

    /** A conversation as {@code GET /v2/Conversations} lists it. */
    public record ConversationSummary(String id, String status, String configurationId) {
    }

    /**
     * {@code GET /v2/Conversations?channelId=&status=}: the conversations a channel resource (a call SID, a message
     * SID) belongs to, every page ({@code meta.nextToken} → {@code pageToken}). {@code status} may be null (any).
     * The spec's list body is {@code {"conversations": [...], "meta": {"key", "pageSize", "nextToken"?}}}.
     */
    public List<ConversationSummary> listConversations(String channelId, String status) {
        List<ConversationSummary> out = new ArrayList<>();
        String pageToken = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            StringBuilder query = new StringBuilder("/v2/Conversations?channelId=").append(encode(channelId));
            if (status != null) {
                query.append("&status=").append(encode(status));
            }
            if (pageToken != null) {
                query.append("&pageToken=").append(encode(pageToken));
            }
            JsonNode body = send("conversations.list", "GET", query.toString(), null);
            for (JsonNode c : body.path("conversations")) {
                out.add(new ConversationSummary(c.path("id").asText(null), c.path("status").asText(null),
                        c.path("configurationId").asText(null)));
            }
            pageToken = body.path("meta").path("nextToken").asText(null);
            if (pageToken == null || pageToken.isBlank()) {
                break;
            }
        }
        return out;
    }

    /** A created or reused conversation. */
    public record Created(String conversationId, boolean reused) {
    }

    /**
     * {@code POST /v2/Conversations} with {@code {configurationId?, participants}}; a 409 (an active conversation with
     * these addresses exists) gives the existing id from {@code X-Conflicting-Resource-Id}, as TAC does.
     */
    public Created createOrReuseConversation(String configurationId, List<Participant> participants) {
        ObjectNode request = JSON.createObjectNode();
        if (configurationId != null) {
            request.put("configurationId", configurationId);
        }
        var array = request.putArray("participants");
        for (Participant p : participants) {
            ObjectNode node = array.addObject().put("type", p.type());
            for (Address a : p.addresses()) {
                node.withArray("addresses").addObject().put("channel", a.channel()).put("address", a.address());
            }
        }
        HttpResponse<String> response = exchange("conversations.create", "POST", "/v2/Conversations", request);
        if (response.statusCode() == 409) {
            String existing = response.headers().firstValue("X-Conflicting-Resource-Id").orElse(null);
            if (existing != null && !existing.isBlank()) {
                return new Created(existing, true);
            }
        }
        return new Created(parse(response, "POST", "/v2/Conversations").path("id").asText(null), false);
    }

    private JsonNode send(String api, String method, String path, ObjectNode body) {
        return parse(exchange(api, method, path, body), method, path);
    }

    /** A JSON call to Conversation Memory with the same credentials (TAC uses the API key for both). */
    JsonNode sendToMemory(String api, String method, String path, ObjectNode body) {
        return parse(exchange(api, method, endpoints.memory(path), "memory.twilio.com", path, body), method, path);
    }

    private HttpResponse<String> exchange(String api, String method, String path, ObjectNode body) {
        return exchange(api, method, endpoints.conversations(path), "conversations.twilio.com", path, body);
    }

    private HttpResponse<String> exchange(String api, String method, URI uri, String host, String path, ObjectNode body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Authorization", authorization).header("Accept", "application/json");
        if (endpoints.redirected()) {
            builder.header("X-Forwarded-Host", host);
        }
        if (body == null) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            builder.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        }
        HttpResponse<String> response;
        try {
            response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            metrics.orchestratorCall(api, "io");
            throw new TwilioCallException(TwilioCallException.Kind.AMBIGUOUS, null, null, "interrupted", null, e);
        } catch (IOException e) {
            metrics.orchestratorCall(api, "io");
            TwilioCallException.Kind kind = RedirectingHttpClient.neverSent(e)
                    ? TwilioCallException.Kind.RETRYABLE : TwilioCallException.Kind.AMBIGUOUS;
            throw new TwilioCallException(kind, null, null, method + " " + path + ": " + e, null, e);
        }
        metrics.orchestratorCall(api, Integer.toString(response.statusCode()));
        return response;
    }

    private static JsonNode parse(HttpResponse<String> response, String method, String path) {
        if (response.statusCode() / 100 == 2) {
            try {
                return response.body() == null || response.body().isBlank()
                        ? JSON.createObjectNode() : JSON.readTree(response.body());
            } catch (IOException e) {
                return JSON.createObjectNode();
            }
        }
        Integer code = null;
        String message = method + " " + path + " → " + response.statusCode();
        try {
            JsonNode error = JSON.readTree(response.body());
            if (error.hasNonNull("code")) {
                code = error.get("code").asInt();
            }
            if (error.hasNonNull("message")) {
                message = error.get("message").asText();
            }
        } catch (Exception ignored) {
            // not Twilio's error JSON
        }
        throw TwilioCallException.fromStatus(response.statusCode(), code, message,
                TwilioCallException.parseRetryAfter(response.headers().firstValue("Retry-After").orElse(null)));
    }

    static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
