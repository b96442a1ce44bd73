package io.switchboard.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.switchboard.tracing.Messaging;
import io.switchboard.tracing.Tracing;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Twilio Knowledge search, as TAC's knowledge tool calls it: {@code POST
 * https://knowledge.twilio.com/v2/KnowledgeBases/{TWILIO_KNOWLEDGE_BASE_ID}/Search} with {@code {query, top}} →
 * {@code chunks [{content, knowledgeId, createdAt, score}]}, returned in the API's order. Basic auth with
 * {@code TWILIO_API_KEY}/{@code TWILIO_API_SECRET} (else the account SID and auth token). With {@code TWILIO_REGION}
 * the host is the region's, {@code knowledge.{region}.twilio.com}, as Memory's and the Orchestrator's are (the
 * twilio-api module's {@code TwilioEndpoints}, which this module does not depend on); {@code TWILIO_API_BASE_URL}
 * redirects the call (tests, dev). Blocking: call it from a handler thread.
 */
public final class KnowledgeSearch {
    public static final String KNOWLEDGE_BASE_ID = "TWILIO_KNOWLEDGE_BASE_ID";
    public static final int DEFAULT_TOP = 5;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One search result. */
    public record Chunk(String content, String knowledgeId, String createdAt, double score) {
    }

    private final URI searchUri;
    private final String host;
    private final String authorization;
    private final boolean redirected;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile Tracing tracing = Tracing.OFF;

    KnowledgeSearch(String baseUrl, String region, String knowledgeBaseId, String user, String password) {
        String path = "/v2/KnowledgeBases/" + knowledgeBaseId + "/Search";
        this.host = region == null || region.isBlank() ? "knowledge.twilio.com" : "knowledge." + region.trim() + ".twilio.com";
        this.redirected = baseUrl != null && !baseUrl.isBlank();
        this.searchUri = URI.create((redirected ? baseUrl.replaceAll("/+$", "") : "https://" + host) + path);
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** From TAC's variables; empty when {@code TWILIO_KNOWLEDGE_BASE_ID} is not set. */
    public static Optional<KnowledgeSearch> fromEnv(Map<String, String> env) {
        String base = env.get(KNOWLEDGE_BASE_ID);
        if (base == null || base.isBlank()) {
            return Optional.empty();
        }
        String user = firstSet(env.get("TWILIO_API_KEY"), env.get("TWILIO_ACCOUNT_SID"));
        String password = firstSet(env.get("TWILIO_API_SECRET"), env.get("TWILIO_AUTH_TOKEN"));
        if (user == null || password == null) {
            throw new IllegalArgumentException(KNOWLEDGE_BASE_ID
                    + " is set but neither TWILIO_API_KEY/TWILIO_API_SECRET nor TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN are");
        }
        return Optional.of(new KnowledgeSearch(env.get("TWILIO_API_BASE_URL"), env.get("TWILIO_REGION"), base.trim(),
                user, password));
    }

    /** Where searches go, e.g. {@code https://knowledge.ie1.twilio.com/v2/KnowledgeBases/know_1/Search}. */
    URI searchUri() {
        return searchUri;
    }

    /**
     * Traces each search as a CLIENT span ({@code POST /v2/KnowledgeBases/{id}/Search}, its status and the number
     * of chunks; never the query) under the caller's current span — a handler's, when called from one.
     */
    public KnowledgeSearch traceWith(Tracing tracing) {
        this.tracing = java.util.Objects.requireNonNull(tracing, "tracing");
        return this;
    }

    public List<Chunk> search(String query) {
        return search(query, DEFAULT_TOP);
    }

    public List<Chunk> search(String query, int top) {
        Tracing tracing = this.tracing;
        if (!tracing.enabled()) {
            return searchUntraced(query, top);
        }
        Span span = tracing.tracer().spanBuilder("POST /v2/KnowledgeBases/{id}/Search").setSpanKind(SpanKind.CLIENT)
                .setAttribute("http.request.method", "POST").setAttribute("server.address", host).startSpan();
        try (Scope ignored = span.makeCurrent()) {
            List<Chunk> chunks = searchUntraced(query, top);
            span.setAttribute("switchboard.knowledge.chunks", (long) chunks.size());
            return chunks;
        } catch (RuntimeException e) {
            Messaging.failed(span, e);
            throw e;
        } finally {
            span.end();
        }
    }

    private List<Chunk> searchUntraced(String query, int top) {
        ObjectNode body = JSON.createObjectNode().put("query", query).put("top", top);
        HttpRequest.Builder request = HttpRequest.newBuilder(searchUri).timeout(Duration.ofSeconds(10))
                .header("Authorization", authorization).header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        if (redirected) {
            request.header("X-Forwarded-Host", host);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("Knowledge search failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Knowledge search interrupted", e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("Knowledge search answered " + response.statusCode() + ": " + response.body());
        }
        List<Chunk> chunks = new ArrayList<>();
        try {
            for (JsonNode c : JSON.readTree(response.body()).path("chunks")) {
                chunks.add(new Chunk(c.path("content").asText(""), c.path("knowledgeId").asText(null),
                        c.path("createdAt").asText(null), c.path("score").asDouble(0)));
            }
        } catch (IOException e) {
            throw new IllegalStateException("Knowledge search answered malformed JSON", e);
        }
        return chunks;
    }

    private static String firstSet(String a, String b) {
        return a != null && !a.isBlank() ? a : b != null && !b.isBlank() ? b : null;
    }
}
