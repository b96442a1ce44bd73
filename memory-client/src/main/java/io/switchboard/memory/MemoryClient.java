package io.switchboard.memory;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.config.InternalToken;
import io.switchboard.events.Memory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Client of the memory-service HTTP API ({@code POST /memory/retrieve}, {@code POST /memory/observations}), for the
 * router and agents. Never blocks: every call returns a future that completes within the call's timeout, failing
 * with {@link java.util.concurrent.TimeoutException} (or {@link java.net.http.HttpTimeoutException}) when the
 * service is slow, and with {@link MemoryServiceException} for an answer other than 2xx. Callers that must go on
 * without memory (TAC's behaviour) recover with {@code exceptionally}. Completion runs on the HTTP client's threads
 * or the JDK's timeout thread: hand heavy work to an executor of your own.
 * Every request carries the shared {@link InternalToken} ({@code Authorization: Bearer …}); the memory service
 * answers 401 without it. Thread-safe; one instance per process is enough.
 */
public final class MemoryClient {
    private final URI base;
    private final Duration defaultTimeout;
    private final HttpClient http;
    private final String authorization;

    /**
     * @param baseUrl        where the memory service listens (its operator listener), e.g. {@code http://localhost:9464}
     * @param defaultTimeout the bound of calls made without an explicit timeout (the router uses 1 s)
     * @param token          SWITCHBOARD_INTERNAL_TOKEN, the secret the memory service checks
     */
    public MemoryClient(URI baseUrl, Duration defaultTimeout, InternalToken token) {
        String s = Objects.requireNonNull(baseUrl, "baseUrl").toString();
        this.base = URI.create(s.endsWith("/") ? s : s + "/");
        this.defaultTimeout = Objects.requireNonNull(defaultTimeout, "defaultTimeout");
        this.authorization = Objects.requireNonNull(token, "token").authorizationHeader();
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(defaultTimeout).build();
    }

    public CompletableFuture<Memory> retrieve(MemoryQuery query) {
        return retrieve(query, defaultTimeout);
    }

    /** Recalls memory for a customer; the future completes (normally or not) within {@code timeout}. */
    public CompletableFuture<Memory> retrieve(MemoryQuery query, Duration timeout) {
        Objects.requireNonNull(query, "query");
        return post("memory/retrieve", MemoryJson.queryToJson(query), timeout).thenApply(MemoryJson::memoryFromJson);
    }

    /**
     * Stores an observation about a customer, for agents ("prefers e-mail", "ordered a blue bike").
     *
     * @param profileOrAddress a Twilio Memory profile id ({@code mem_profile_...}) or the customer's address
     * @param content          the observation
     * @param conversationId   the conversation it was made in, or null
     * @return the observation's id, once it is durably stored
     */
    public CompletableFuture<String> addObservation(String profileOrAddress, String content, String conversationId) {
        return addObservation(profileOrAddress, content, conversationId, defaultTimeout);
    }

    public CompletableFuture<String> addObservation(String profileOrAddress, String content, String conversationId,
            Duration timeout) {
        Objects.requireNonNull(profileOrAddress, "profileOrAddress");
        Objects.requireNonNull(content, "content");
        ObjectNode body = MemoryJson.mapper().createObjectNode();
        body.put(MemoryQuery.isProfileId(profileOrAddress) ? "profileId" : "address", profileOrAddress);
        body.put("content", content);
        if (conversationId != null) {
            body.put("conversationId", conversationId);
        }
        return post("memory/observations", body.toString(), timeout)
                .thenApply(json -> MemoryJson.parseObject(json).path("id").asText(null));
    }

    private CompletableFuture<String> post(String path, String json, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
        CompletableFuture<HttpResponse<String>> sent = http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        return sent.thenApply(response -> {
                    if (response.statusCode() / 100 != 2) {
                        throw new MemoryServiceException(response.statusCode(), response.body());
                    }
                    return response.body();
                })
                // the request timeout covers the wait for headers; this bounds the whole call, body included
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((r, e) -> {
                    if (e != null) {
                        sent.cancel(true);
                    }
                });
    }

    /** The memory service answered with a status other than 2xx. */
    public static final class MemoryServiceException extends RuntimeException {
        private final int status;

        public MemoryServiceException(int status, String body) {
            super("memory service answered " + status + ": " + (body == null ? "" : body.length() > 300 ? body.substring(0, 300) : body));
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
