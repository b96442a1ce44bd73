package io.switchboard.memory.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.config.InternalToken;
import io.switchboard.events.Memory;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.logging.Redaction;
import io.switchboard.memory.MemoryJson;
import io.switchboard.memory.MemoryQuery;
import io.switchboard.service.ManagedService;
import io.switchboard.twilio.TwilioApiMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Conversation memory over HTTP, from Twilio Conversation Memory ({@code SWITCHBOARD_MEMORY_PROVIDER=twilio}) or from
 * the local memory Switchboard builds from its own topics ({@code local}, the default without Twilio credentials).
 *
 * <h2>HTTP API (JSON)</h2>
 * <ul>
 * <li>{@code POST /memory/retrieve} {@code {"conversationId", "profileId", "address", "channel", "query",
 *     "observationsLimit", "summariesLimit", "communicationsLimit", "relevanceThreshold"}} — {@code profileId} or
 *     {@code address} required, the rest optional (limits default to TWILIO_MEMORY_*; empty query = most recent).
 *     200 with {@code {"observations":[{id,content,createdAtMillis,score}], "summaries":[{id,content,createdAtMillis}],
 *     "communications":[{id,conversationId,authorAddress,fromAgent,channel,text,occurredAtMillis}]}} (the Avro
 *     {@link Memory}; see {@link MemoryJson}); 400 malformed request; 413 body over 64 KiB; 502 Twilio failed;
 *     503 the local memory is not ready (rebalancing, restoring).</li>
 * <li>{@code POST /memory/observations} {@code {"profileId" | "address", "content", "conversationId"?}} — 201
 *     {@code {"id"}} once stored durably; 400 malformed.</li>
 * <li>{@code GET /memory/profiles/{profileId}} — Twilio only: the profile with the configured trait groups; 404 with
 *     the local provider.</li>
 * <li>{@code GET /memory/internal/customers/{subject}} — between local-memory instances: what this instance's store
 *     holds for {@code profile:<id>} or {@code addr:<normalised address>}, unranked.</li>
 * </ul>
 * Every route requires the shared SWITCHBOARD_INTERNAL_TOKEN as {@code Authorization: Bearer …}: without it, or with
 * another, 401 and a WARN naming the route and the caller (never the token), before the body is read.
 * Embedded alone, {@link #start()} serves these on {@code PORT} on 127.0.0.1; call {@link #mount(Router)} before
 * {@link #start()} to serve them on another router instead (the launcher's operator listener), and no server of its
 * own is started.
 *
 * <h2>Conversation Intelligence</h2>
 * With {@code CONVERSATION_INTELLIGENCE_OBSERVATION_OPERATOR_SID} and/or {@code _SUMMARY_OPERATOR_SID} set, the
 * operator results on {@code tac.ci.v1} become observations and summaries of the conversation's customer profiles
 * ({@link IntelligenceResults}): written to Twilio Conversation Memory ({@link IntelligenceWriter}) with the twilio
 * provider, kept in the local memory (and returned by retrievals) otherwise.
 *
 * <h2>Metrics</h2>
 * ({@link MemoryMetrics}) {@code switchboard.memory.retrievals{provider,outcome}} (outcome: ok, bad_request,
 * unavailable, error), {@code switchboard.memory.retrieval.latency{provider}},
 * {@code switchboard.memory.observations{provider,outcome}}, {@code switchboard.memory.unauthorized},
 * {@code switchboard.memory.intelligence.writes{kind,outcome}}; Twilio calls as {@code TwilioApiMetrics} counts them.
 */
public final class MemoryService implements ManagedService {
    /** Observations agents write, keyed by customer (profile:/addr: subject); kept forever (delete policy, no retention). */
    public static final String OBSERVATIONS_TOPIC = "tac.memory.observations.v1";
    static final int BODY_LIMIT = 64 * 1024;
    private static final Logger log = LoggerFactory.getLogger(MemoryService.class);

    private final MemoryConfig config;
    private final Vertx vertx;
    private final MemoryProvider provider;
    private final MemoryMetrics metrics;
    private final IntelligenceWriter intelligence;
    private boolean mounted;
    private HttpServer server;
    private volatile boolean closed;

    public MemoryService(MemoryConfig config, Vertx vertx, MeterRegistry registry) {
        this.config = config;
        this.vertx = vertx;
        KafkaClients clients = new KafkaClients(config.kafka());
        TwilioMemory twilio = config.provider() == MemoryConfig.Provider.TWILIO
                ? new TwilioMemory(config, vertx, new TwilioApiMetrics(registry)) : null;
        this.provider = twilio != null ? twilio : new LocalMemory(config, clients, vertx, registry);
        this.metrics = new MemoryMetrics(registry, provider.name());
        // the local memory reads tac.ci.v1 in its own topology; Twilio's needs a consumer that calls the API
        this.intelligence = twilio != null && config.intelligenceEnabled()
                ? new IntelligenceWriter(config, clients, twilio, vertx, metrics) : null;
    }

    @Override
    public String name() {
        return "memory-service";
    }

    /** Serves the memory API on {@code router} (under {@code /memory}); call before {@link #start()}. */
    public synchronized void mount(Router router) {
        mountRoutes(router);
        mounted = true;
    }

    /**
     * For a JVM whose HTTP server belongs to another service ({@code dev}): the routes to mount there once that
     * server starts, which may be after {@link #start()}; this service then opens no server of its own.
     */
    public synchronized Consumer<Router> routesForSharedServer() {
        mounted = true;
        return this::mountRoutes;
    }

    private void mountRoutes(Router router) {
        // its own route: Vert.x wants a route's body handler before its other handlers, and this runs first
        router.route("/memory/*").handler(this::authenticate);
        router.route("/memory/*").handler(BodyHandler.create().setBodyLimit(BODY_LIMIT));
        router.post("/memory/retrieve").handler(this::retrieve);
        router.post("/memory/observations").handler(this::addObservation);
        router.get("/memory/profiles/:profileId").handler(this::profile);
        router.get("/memory/internal/customers/:subject").handler(this::localCustomer);
    }

    @Override
    public synchronized void start() throws Exception {
        if (!mounted) {
            Router router = Router.router(vertx);
            mount(router);
            server = vertx.createHttpServer().requestHandler(router).listen(config.port(), "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        try {
            provider.start();
            if (intelligence != null) {
                intelligence.start();
            }
        } catch (Exception e) {
            close();
            throw e;
        }
        log.info("Memory service started: provider {} ({}): {}; {}", provider.name(), config.providerReason(),
                provider.describe(), server != null ? "port " + server.actualPort() : "routes mounted on the shared router");
    }

    /** The port of its own HTTP server, or -1 when its routes are mounted elsewhere. */
    public int port() {
        return server == null ? -1 : server.actualPort();
    }

    /** {@code local} or {@code twilio}. */
    public String provider() {
        return provider.name();
    }

    /** Lets a request with the shared token through; any other gets 401 before its body is read. */
    private void authenticate(RoutingContext ctx) {
        Optional<String> refusal = config.internalToken().refusal(ctx.request().getHeader("Authorization"));
        if (refusal.isEmpty()) {
            ctx.next();
            return;
        }
        metrics.unauthorized();
        log.warn("Refused {} {} from {}: {} ({} is required)", ctx.request().method(), ctx.request().path(),
                ctx.request().remoteAddress(), refusal.get(), InternalToken.NAME);
        ctx.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer").putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("error", "unauthorized: " + refusal.get()).encode());
    }

    private void retrieve(RoutingContext ctx) {
        long started = System.nanoTime();
        MemoryQuery query;
        try {
            query = MemoryJson.queryFromJson(ctx.body().asString());
        } catch (IllegalArgumentException e) {
            metrics.retrieval("bad_request");
            badRequest(ctx, e.getMessage());
            return;
        }
        provider.retrieve(query, Limits.of(query, config)).onComplete(result -> {
            metrics.retrievalTook(System.nanoTime() - started);
            if (result.succeeded()) {
                metrics.retrieval("ok");
                ctx.response().putHeader("Content-Type", "application/json").end(MemoryJson.memoryToJson(result.result()));
                return;
            }
            Throwable e = result.cause();
            boolean unavailable = e instanceof InvalidStateStoreException || e instanceof MemoryProvider.NotReadyException;
            metrics.retrieval(unavailable ? "unavailable" : "error");
            withConversation(query.conversationId(), () -> log.warn("Memory retrieval for {} failed: {}",
                    query.profileId() != null ? query.profileId() : Redaction.mask(query.address()), e.toString()));
            error(ctx, unavailable ? 503 : 502, unavailable ? "memory not ready, retry" : "memory provider failed");
        });
    }

    private void addObservation(RoutingContext ctx) {
        String profileId;
        String address;
        String content;
        String conversationId;
        try {
            JsonNode body = MemoryJson.parseObject(ctx.body().asString());
            profileId = MemoryJson.text(body, "profileId");
            address = MemoryJson.text(body, "address");
            content = MemoryJson.text(body, "content");
            conversationId = MemoryJson.text(body, "conversationId");
            if (content == null || content.isBlank()) {
                throw new IllegalArgumentException("content is required");
            }
            if ((profileId == null || profileId.isBlank()) && Addresses.normalize(address) == null) {
                throw new IllegalArgumentException("profileId or address is required");
            }
        } catch (IllegalArgumentException e) {
            metrics.observation("bad_request");
            badRequest(ctx, e.getMessage());
            return;
        }
        provider.addObservation(blankToNull(profileId), address, content.strip(), conversationId).onComplete(result -> {
            if (result.succeeded()) {
                metrics.observation("ok");
                ctx.response().setStatusCode(201).putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("id", result.result()).encode());
            } else {
                metrics.observation("error");
                withConversation(conversationId, () -> log.warn("Storing an observation failed: {}", result.cause().toString()));
                error(ctx, result.cause() instanceof IllegalArgumentException ? 400 : 502, result.cause().getMessage());
            }
        });
    }

    /** Between local-memory instances: one subject's memory from this instance's stores, unranked. */
    private void localCustomer(RoutingContext ctx) {
        if (!(provider instanceof LocalMemory local)) {
            error(ctx, 404, "served by the local provider only");
            return;
        }
        local.queries().localCustomer(ctx.pathParam("subject")).onComplete(result -> {
            if (result.succeeded()) {
                ctx.response().putHeader("Content-Type", "application/json").end(MemoryQueries.customerToJson(result.result()));
            } else {
                error(ctx, result.cause() instanceof InvalidStateStoreException ? 503 : 500, result.cause().getMessage());
            }
        });
    }

    private void profile(RoutingContext ctx) {
        if (!(provider instanceof TwilioMemory twilio)) {
            error(ctx, 404, "profiles are served by the twilio provider only");
            return;
        }
        twilio.profile(ctx.pathParam("profileId")).onComplete(result -> {
            if (result.succeeded()) {
                ctx.response().putHeader("Content-Type", "application/json").end(result.result().encode());
            } else {
                int status = result.cause() instanceof TwilioMemory.TwilioMemoryException t && t.status == 404 ? 404 : 502;
                error(ctx, status, result.cause().getMessage());
            }
        });
    }

    private static void badRequest(RoutingContext ctx, String message) {
        error(ctx, 400, message);
    }

    private static void error(RoutingContext ctx, int status, String message) {
        if (!ctx.response().ended()) {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                    .end(new JsonObject().put("error", String.valueOf(message)).encode());
        }
    }

    private static void withConversation(String conversationId, Runnable logging) {
        if (conversationId == null) {
            logging.run();
            return;
        }
        MDC.put("conversationId", conversationId);
        try {
            logging.run();
        } finally {
            MDC.remove("conversationId");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (server != null) {
            try {
                server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("Closing the memory HTTP server: {}", e.toString());
            }
        }
        if (intelligence != null) {
            intelligence.close();
        }
        provider.close();
    }

    /** For tests: waits until the Conversation Intelligence consumer (Twilio provider) has its partitions. */
    boolean awaitIntelligenceAssignment(Duration timeout) throws InterruptedException {
        return intelligence == null || intelligence.awaitAssignment(timeout);
    }
}
