package io.switchboard.memory.service;

import io.switchboard.events.Channel;
import io.switchboard.events.Memory;
import io.switchboard.events.Observation;
import io.switchboard.events.PastCommunication;
import io.switchboard.events.Summary;
import io.switchboard.memory.MemoryQuery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.switchboard.config.InvalidConfigurationException;
import io.switchboard.twilio.MemoryStore;
import io.switchboard.twilio.OrchestratorClient;
import io.switchboard.twilio.Retrier;
import io.switchboard.twilio.RetryPolicy;
import io.switchboard.twilio.TwilioApiMetrics;
import io.switchboard.twilio.TwilioEndpoints;
import io.switchboard.twilio.TwilioSettings;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Twilio Conversation Memory, called as TAC's {@code context/memory.py} does: HTTP Basic auth with the API key and
 * secret; {@code POST /v1/Stores/{store}/Profiles/Lookup {idType, value}} to find the profile of an address without
 * one; {@code POST /v1/Stores/{store}/Profiles/{profileId}/Recall} with the limits and relevance threshold;
 * {@code POST .../Profiles/{profileId}/Observations}; {@code POST .../Profiles/{profileId}/ConversationSummaries};
 * {@code GET .../Profiles/{profileId}?traitGroups=A,B}.
 *
 * <p>The store is decided at {@link #start()} ({@link MemoryStore}: the Orchestrator configuration's
 * {@code memoryStoreId}, or {@code TWILIO_MEMORY_STORE_ID}). With a configuration, a retrieval whose Lookup or Recall
 * fails, or whose customer has no profile, is answered as TAC's {@code retrieve_memory} answers it: with the
 * conversation's Communications ({@link CommunicationsFallback}), on a worker thread.
 */
final class TwilioMemory implements MemoryProvider {
    private static final Logger log = LoggerFactory.getLogger(TwilioMemory.class);
    private static final Set<String> AGENT_TYPES = Set.of("AI_AGENT", "HUMAN_AGENT", "AGENT");
    static final String INTELLIGENCE_SOURCE = "conversation-intelligence";

    private final MemoryConfig config;
    private final Vertx vertx;
    private final WebClient web; // kept in a field: Vert.x 5 closes unreferenced clients
    private final String authorization;
    private final TwilioEndpoints endpoints;
    private final OrchestratorClient orchestrator;
    private final Retrier retrier;
    /** Null without an Orchestrator configuration: TAC falls back to Communications only when one is configured. */
    private final CommunicationsFallback fallback;
    /** Set by {@link #start()}; the HTTP API may be served before (then "not ready", 503). */
    private volatile MemoryStore store;

    TwilioMemory(MemoryConfig config, Vertx vertx, TwilioApiMetrics metrics) {
        this.config = config;
        this.vertx = vertx;
        this.web = WebClient.create(vertx, new WebClientOptions().setUserAgent("switchboard-memory")
                .setConnectTimeout(config.twilioTimeoutMs()));
        TwilioSettings twilio = config.twilio();
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                (twilio.apiKey() + ":" + twilio.apiSecret()).getBytes(StandardCharsets.UTF_8));
        this.endpoints = twilio.endpoints();
        this.orchestrator = twilio.access().orchestrator(
                HttpClient.newBuilder().connectTimeout(Duration.ofMillis(config.twilioTimeoutMs())).build(),
                Duration.ofMillis(config.twilioTimeoutMs()), metrics);
        this.retrier = new Retrier(new RetryPolicy(3, Duration.ofMillis(200), Duration.ofSeconds(2)), metrics);
        this.fallback = twilio.conversationConfigurationId() != null ? new CommunicationsFallback(orchestrator) : null;
    }

    @Override
    public String name() {
        return "twilio";
    }

    /** Resolves the store (blocking: the Orchestrator configuration is fetched); fails the start when it cannot. */
    @Override
    public void start() {
        String configurationId = config.twilio().conversationConfigurationId();
        store = MemoryStore.resolve(orchestrator, retrier, configurationId, config.twilio().memoryStoreId())
                .orElseThrow(() -> new InvalidConfigurationException("The Conversation Orchestrator configuration "
                        + configurationId + " (" + TwilioSettings.CONVERSATION_CONFIGURATION_ID + ") has no memoryStoreId: "
                        + "attach a Memory store to it, or set " + TwilioSettings.MEMORY_STORE_ID + "."));
    }

    @Override
    public String describe() {
        MemoryStore s = store;
        return "Twilio Conversation Memory, store " + (s == null ? "unresolved" : s.id() + " from " + s.origin())
                + (fallback != null ? ", Communications fallback on" : ", no Communications fallback (no "
                        + TwilioSettings.CONVERSATION_CONFIGURATION_ID + ")");
    }

    /** {@code https://memory[.{region}].twilio.com/v1/Stores/{store}}, once the store is known. */
    private String storeUrl() {
        MemoryStore s = store;
        if (s == null) {
            throw new NotReadyException("the Memory store is not resolved yet");
        }
        return endpoints.memory("/v1/Stores/" + encode(s.id())).toString();
    }

    @Override
    public Future<Memory> retrieve(MemoryQuery query, Limits limits) {
        Future<Memory> recalled = Future.<Void>succeededFuture().compose(v -> profileOf(query.profileId(), query.address()))
                .compose(profileId -> profileId == null ? Future.failedFuture(new NoProfileException())
                        : recall(profileId, query, limits));
        return recalled.recover(e -> {
            if (e instanceof NotReadyException) {
                return Future.failedFuture(e);
            }
            if (fallback == null || query.conversationId() == null) {
                return e instanceof NoProfileException ? Future.succeededFuture(Memory.newBuilder().build())
                        : Future.failedFuture(e);
            }
            log.warn("Memory retrieval for conversation {} failed ({}); falling back to its Communications",
                    query.conversationId(), e.getMessage());
            return vertx.executeBlocking(() -> fallback.communications(query, limits), false);
        });
    }

    private Future<Memory> recall(String profileId, MemoryQuery query, Limits limits) {
        JsonObject body = new JsonObject()
                .put("observationsLimit", limits.observations())
                .put("summariesLimit", limits.summaries())
                .put("communicationsLimit", limits.communications())
                .put("relevanceThreshold", limits.relevanceThreshold());
        if (query.conversationId() != null) {
            body.put("conversationId", query.conversationId());
        }
        if (query.hasQuery()) {
            String q = query.query();
            body.put("query", q.length() > 1024 ? q.substring(0, 1024) : q);
        }
        return send(request("POST", storeUrl() + "/Profiles/" + encode(profileId) + "/Recall"), body)
                .map(TwilioMemory::parseRecall);
    }

    @Override
    public Future<String> addObservation(String profileId, String address, String content, String conversationId) {
        return profileOf(profileId, address).compose(pid -> {
            if (pid == null) {
                return Future.failedFuture(new IllegalArgumentException("no Twilio Memory profile for this address"));
            }
            JsonObject body = new JsonObject().put("content", content).put("source", "switchboard");
            if (conversationId != null) {
                body.put("conversationIds", new JsonArray().add(conversationId));
            }
            return send(request("POST", storeUrl() + "/Profiles/" + encode(pid) + "/Observations"), body)
                    .map(json -> json.getString("id"));
        });
    }

    /**
     * TAC's {@code create_observation} for a Conversation Intelligence result: {@code POST .../Profiles/{id}/Observations
     * {content, source: "conversation-intelligence", conversationIds, occurredAt}}.
     */
    Future<Void> createObservation(String profileId, String content, String conversationId, String occurredAt) {
        JsonObject body = new JsonObject().put("content", content).put("source", INTELLIGENCE_SOURCE)
                .put("conversationIds", new JsonArray().add(conversationId));
        if (occurredAt != null) {
            body.put("occurredAt", occurredAt);
        }
        return send(request("POST", storeUrl() + "/Profiles/" + encode(profileId) + "/Observations"), body).mapEmpty();
    }

    /**
     * TAC's {@code create_conversation_summaries}: {@code POST .../Profiles/{id}/ConversationSummaries {summaries:
     * [{content, conversationId, occurredAt, source}]}}.
     */
    Future<Void> createSummaries(String profileId, List<String> contents, String conversationId, String occurredAt) {
        JsonArray summaries = new JsonArray();
        for (String content : contents) {
            summaries.add(new JsonObject().put("content", content).put("conversationId", conversationId)
                    .put("occurredAt", occurredAt).put("source", INTELLIGENCE_SOURCE));
        }
        return send(request("POST", storeUrl() + "/Profiles/" + encode(profileId) + "/ConversationSummaries"),
                new JsonObject().put("summaries", summaries)).mapEmpty();
    }

    /** The profile with the configured trait groups (all when none are configured). */
    Future<JsonObject> profile(String profileId) {
        String url = storeUrl() + "/Profiles/" + encode(profileId);
        List<String> groups = config.profileTraitGroups();
        if (!groups.isEmpty()) {
            url += "?traitGroups=" + encode(String.join(",", groups));
        }
        return send(request("GET", url), null);
    }

    /** The given profile id, else the first profile Twilio finds for the address (phone or e-mail), else null. */
    Future<String> profileOf(String profileId, String address) {
        if (profileId != null) {
            return Future.succeededFuture(profileId);
        }
        String value = Addresses.normalize(address);
        if (value == null) {
            return Future.succeededFuture(null);
        }
        String idType = value.contains("@") ? "email" : value.matches("\\+?[0-9]+") ? "phone" : null;
        if (idType == null) {
            return Future.succeededFuture(null); // a chat identity: Memory knows profiles by phone or e-mail
        }
        JsonObject body = new JsonObject().put("idType", idType).put("value", value);
        return send(request("POST", storeUrl() + "/Profiles/Lookup"), body).map(json -> {
            JsonArray profiles = json.getJsonArray("profiles");
            return profiles == null || profiles.isEmpty() ? null : profiles.getString(0);
        });
    }

    private HttpRequest<Buffer> request(String method, String url) {
        HttpRequest<Buffer> request = method.equals("GET") ? web.getAbs(url) : web.postAbs(url);
        return request.putHeader("Authorization", authorization).putHeader("Accept", "application/json")
                .timeout(config.twilioTimeoutMs());
    }

    private static Future<JsonObject> send(HttpRequest<Buffer> request, JsonObject body) {
        Future<HttpResponse<Buffer>> sent = body == null ? request.send() : request.sendJsonObject(body);
        return sent.compose(response -> {
            if (response.statusCode() / 100 != 2) {
                return Future.failedFuture(new TwilioMemoryException(response.statusCode(), response.bodyAsString()));
            }
            Buffer b = response.body();
            return Future.succeededFuture(b == null || b.length() == 0 ? new JsonObject() : b.toJsonObject());
        });
    }

    /** A Recall response in Switchboard's shape; malformed items are skipped, as TAC does. */
    static Memory parseRecall(JsonObject json) {
        List<Observation> observations = new ArrayList<>();
        for (JsonObject o : objects(json.getValue("observations"))) {
            String content = o.getString("content");
            if (content != null) {
                observations.add(Observation.newBuilder().setId(o.getString("id")).setContent(content)
                        .setCreatedAtMillis(millis(o.getString("createdAt")))
                        .setScore(o.getValue("score") instanceof Number n ? n.doubleValue() : null).build());
            }
        }
        List<Summary> summaries = new ArrayList<>();
        for (JsonObject s : objects(json.getValue("summaries"))) {
            String content = s.getString("content");
            if (content != null) {
                summaries.add(Summary.newBuilder().setId(s.getString("id")).setContent(content)
                        .setCreatedAtMillis(millis(s.getString("createdAt"))).build());
            }
        }
        List<PastCommunication> communications = new ArrayList<>();
        for (JsonObject c : objects(json.getValue("communications"))) {
            JsonObject author = c.getValue("author") instanceof JsonObject a ? a : new JsonObject();
            JsonObject content = c.getValue("content") instanceof JsonObject x ? x : new JsonObject();
            String text = content.getString("text");
            if (text == null) {
                continue;
            }
            communications.add(PastCommunication.newBuilder().setId(c.getString("id"))
                    .setAuthorAddress(author.getString("address"))
                    .setFromAgent(AGENT_TYPES.contains(String.valueOf(author.getString("type"))))
                    .setChannel(channel(author.getString("channel"))).setText(text)
                    .setOccurredAtMillis(millis(c.getString("createdAt"))).build());
        }
        return Memory.newBuilder().setObservations(observations).setSummaries(summaries)
                .setCommunications(communications).build();
    }

    private static List<JsonObject> objects(Object value) {
        List<JsonObject> out = new ArrayList<>();
        if (value instanceof JsonArray array) {
            for (Object item : array) {
                if (item instanceof JsonObject o) {
                    out.add(o);
                }
            }
        }
        return out;
    }

    static Channel channel(String name) {
        if (name == null) {
            return Channel.UNKNOWN;
        }
        try {
            return Channel.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Channel.UNKNOWN;
        }
    }

    static Long millis(String iso) {
        if (iso == null) {
            return null;
        }
        try {
            return Instant.parse(iso).toEpochMilli();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        web.close();
    }

    /** Lookup found no profile for the customer's address (TAC then falls back to Communications too). */
    static final class NoProfileException extends RuntimeException {
        NoProfileException() {
            super("no Memory profile for this customer");
        }
    }

    /** Twilio answered with a status other than 2xx. */
    static final class TwilioMemoryException extends RuntimeException {
        final int status;

        TwilioMemoryException(int status, String body) {
            super("Twilio Conversation Memory answered " + status + ": "
                    + (body == null ? "" : body.length() > 300 ? body.substring(0, 300) : body));
            this.status = status;
        }
    }
}
