package io.switchboard.ingress;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.events.Channel;
import io.switchboard.events.IntelligenceEvent;
import io.switchboard.ingress.http.MalformedInputHandler;
import io.switchboard.ingress.http.PublicServerOptions;
import io.switchboard.ingress.http.ServerSpans;
import io.switchboard.ingress.http.SignatureCheck;
import io.switchboard.ingress.http.SignedRoute;
import io.switchboard.ingress.intelligence.IntelligenceWebhookHandler;
import io.switchboard.ingress.messaging.WebhookHandler;
import io.switchboard.ingress.twiml.TwimlCustomizers;
import io.switchboard.ingress.voice.ActionCallbackHandler;
import io.switchboard.ingress.voice.CallEventHandler;
import io.switchboard.ingress.voice.CallbackTwiml;
import io.switchboard.ingress.voice.ConversationLookup;
import io.switchboard.ingress.voice.ForgedUpgradeGuard;
import io.switchboard.ingress.voice.RelaySessions;
import io.switchboard.ingress.voice.RelaySocketHandler;
import io.switchboard.ingress.voice.TwimlHandler;
import io.switchboard.ingress.voice.VoiceEgress;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.service.ManagedService;
import io.switchboard.topics.Topic;
import io.switchboard.tracing.Tracing;
import io.switchboard.twilio.MemoryProfiles;
import io.switchboard.twilio.MemoryStore;
import io.switchboard.twilio.OrchestratorClient;
import io.switchboard.twilio.ParticipantReconciler;
import io.switchboard.twilio.Retrier;
import io.switchboard.twilio.RetryPolicy;
import io.switchboard.twilio.TwilioApiMetrics;
import io.switchboard.twilio.TwilioSettings;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP / WebSocket front door: Twilio's voice webhooks and ConversationRelay socket, messaging webhooks, the
 * Conversation Intelligence webhook (when configured), and the
 * voice egress consumer that writes agent replies to the sockets this instance holds.
 *
 * <p>Its port ({@code PORT}) is the one to expose to the internet, so it serves Twilio's signed routes and a bare
 * {@code /healthz} and nothing else (any other path is 404): metrics, readiness, the memory API and the simulator
 * belong to the launcher's operator listener, never to this server.
 */
public final class IngressService implements ManagedService {
    private static final Logger log = LoggerFactory.getLogger(IngressService.class);

    private final IngressConfig config;
    private final Vertx vertx;
    private final IngressMetrics metrics;
    private final TwilioApiMetrics twilioMetrics;
    private InboundPublisher publisher;
    private InboundPublisher relayPublisher;
    private EventPublisher<IntelligenceEvent> intelligence;
    private VoiceEgress egress;
    private ConversationLookup lookup;
    /** The voice lookup's HTTP client, kept for the service's lifetime. */
    private HttpClient lookupHttp;
    private HttpServer server;
    /** Threads of ingress's blocking Twilio calls (orchestrated mode only). */
    private ExecutorService twilioCalls;
    private boolean closed;
    private final Tracing tracing;

    public IngressService(IngressConfig config, Vertx vertx, MeterRegistry meters) {
        this(config, vertx, meters, Tracing.OFF);
    }

    /** With a trace per webhook and per relay prompt, continued through Kafka ({@code tracing}: the process's). */
    public IngressService(IngressConfig config, Vertx vertx, MeterRegistry meters, Tracing tracing) {
        this.tracing = tracing;
        this.config = config;
        this.vertx = vertx;
        this.metrics = new IngressMetrics(meters);
        this.twilioMetrics = new TwilioApiMetrics(meters);
    }

    @Override
    public String name() {
        return "ingress-" + config.instanceId();
    }

    @Override
    public synchronized void start() throws Exception {
        try {
            startServing();
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    /**
     * Orchestrated mode (TWILIO_CONVERSATION_CONFIGURATION_ID, which TAC's messaging channels require): participants are
     * reconciled before a message is published, customers promoted from UNKNOWN get a profile in the Memory store —
     * TWILIO_MEMORY_STORE_ID, else the configuration's memoryStoreId read here at start, as TAC does (a failure stops
     * the start naming the configuration). Null in relay-only mode.
     */
    private ParticipantReconciler reconciler() throws Exception {
        String configurationId = config.conversationConfigurationId().orElse(null);
        if (configurationId == null) {
            return null;
        }
        twilioCalls = Executors.newFixedThreadPool(config.twilioThreads(), runnable -> {
            Thread thread = new Thread(runnable, "ingress-twilio");
            thread.setDaemon(true);
            return thread;
        });
        OrchestratorClient client = config.twilio().access().orchestrator(
                HttpClient.newBuilder().connectTimeout(config.twilioTimeout()).build(),
                config.twilioTimeout(), twilioMetrics);
        Retrier retrier = new Retrier(new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1)),
                twilioMetrics);
        String store = MemoryStore.resolve(client, retrier, configurationId, config.twilio().memoryStoreId())
                .map(MemoryStore::id).orElse(null);
        if (store == null) {
            log.warn("No Memory store ({} unset and configuration {} has no memoryStoreId): customers promoted from "
                    + "UNKNOWN get no profile", TwilioSettings.MEMORY_STORE_ID, configurationId);
        } else {
            log.info("Participant reconciliation on; profiles in Memory store {}", store);
        }
        MemoryProfiles profiles = store == null ? null
                : new MemoryProfiles(client, store, config.phoneTraitGroup(), config.phoneTraitField());
        return new ParticipantReconciler(client, profiles, retrier);
    }

    private void startServing() throws Exception {
        KafkaClients clients = new KafkaClients(config.kafka());
        WebhookLimit webhooks = new WebhookLimit(config.maxInFlight(), metrics);
        publisher = new InboundPublisher(vertx, clients, name(), config.produceTimeout(), webhooks, metrics, tracing);
        // A producer of their own for relay frames: Twilio resends a webhook answered 503, nobody resends a frame,
        // so its events wait out a leader election or a broker away (a longer bound) without holding webhooks back.
        relayPublisher = new InboundPublisher(vertx, clients, name() + "-relay", config.relayProduceTimeout(),
                EventPublisher.requestTimeoutFor(config.produceTimeout()), webhooks, metrics, tracing);
        RelaySessions sessions = new RelaySessions();
        egress = new VoiceEgress(clients, config.instanceId(), sessions, metrics, tracing);
        egress.start();

        SignatureCheck signatures = config.insecureSkipSignature()
                ? SignatureCheck.skipping(config.twilio().authToken(), config.publicDomain().orElse(null))
                : new SignatureCheck(config.twilio().authToken(), config.publicDomain().orElse(null));
        Router router = Router.router(vertx);
        router.route().handler(this::countResponses);
        router.get("/healthz").handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain").end("ok"));
        if (config.orchestrated()) {
            lookupHttp = HttpClient.newBuilder().connectTimeout(config.lookupHttpTimeout()).build();
            lookup = new ConversationLookup(vertx, config.twilio().access().orchestrator(lookupHttp,
                    config.lookupHttpTimeout(), twilioMetrics), config.lookupSchedule(), metrics);
        }
        // Each signed route: its body (webhooks), the signature gate, its handler; a MalformedInput its handler's
        // reader throws is answered 400 by the route's failure handler.
        BodyHandler bodies = BodyHandler.create(false).setBodyLimit(config.webhookBodyLimit());
        // only the channels this deployment registers (SWITCHBOARD_CHANNELS), as TAC serves only its channels' routes:
        // without VOICE the voice routes are not served (404), so no call reaches an agent
        if (config.channels().contains(Channel.VOICE)) {
            ForgedUpgradeGuard forged = new ForgedUpgradeGuard(config.forgedUpgradesPerMinute(), metrics);
            router.get(config.websocketPath()).handler(forged).handler(SignedRoute.upgrade(signatures, forged::forged))
                    .handler(new RelaySocketHandler(vertx, relayPublisher, sessions, config.instanceId(), config.orchestrated(),
                            lookup, config.maxRelaySockets(), metrics, tracing));
            router.post(config.twimlPath()).handler(bodies).handler(SignedRoute.form(signatures))
                    .handler(new TwimlHandler(config, TwimlCustomizers.load()));
            router.post(config.actionPath()).handler(bodies).handler(new ServerSpans(tracing, config.actionPath()))
                    .handler(SignedRoute.form(signatures))
                    .handler(new ActionCallbackHandler(publisher, config.twilio().accountSid(),
                            new CallbackTwiml(config.handoffQueue(), config.handoffDial()), sessions))
                    .failureHandler(MalformedInputHandler.text("callback"));
            for (CallEventHandler.Kind kind : CallEventHandler.Kind.values()) {
                String path = config.callEventPath(kind.name().toLowerCase(Locale.ROOT));
                router.post(path).handler(bodies).handler(new ServerSpans(tracing, path))
                        .handler(SignedRoute.form(signatures))
                        .handler(new CallEventHandler(kind, publisher, config.twilio().accountSid(), sessions))
                        .failureHandler(MalformedInputHandler.text("call event"));
            }
        }
        if (config.channels().stream().anyMatch(channel -> channel != Channel.VOICE)) {
            router.post(config.webhookPath()).handler(bodies).handler(new ServerSpans(tracing, config.webhookPath()))
                    .handler(SignedRoute.formOrJson(signatures))
                    .handler(new WebhookHandler(publisher, config.ownAddresses(),
                            config.conversationConfigurationId().orElse(null), reconciler(), config::ownAddress, twilioCalls,
                            config.channels()))
                    .failureHandler(MalformedInputHandler.text("webhook"));
        }
        config.intelligenceConfigurationId().ifPresent(configurationId -> {
            intelligence = new EventPublisher<>(vertx, clients, name() + "-ci", Topic.INTELLIGENCE,
                    IntelligenceEvent::getConversationId, event -> "IntelligenceEvent", config.produceTimeout(), webhooks,
                    metrics, tracing);
            router.post(config.ciWebhookPath()).handler(bodies).handler(new ServerSpans(tracing, config.ciWebhookPath()))
                    .handler(SignedRoute.formOrJson(signatures))
                    .handler(new IntelligenceWebhookHandler(intelligence, configurationId))
                    .failureHandler(MalformedInputHandler.answering("CI webhook", IntelligenceWebhookHandler::malformed));
        });

        server = vertx.createHttpServer(PublicServerOptions.create(config.port(), config.webhookBodyLimit()))
                .requestHandler(router)
                .listen()
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        log.info("Ingress instance {} listening on port {} ({} mode{})", config.instanceId(), server.actualPort(),
                config.orchestrated() ? "orchestrated" : "relay-only",
                intelligence != null ? ", " + config.ciWebhookPath() + " enabled" : "");
    }

    /** The port the HTTP server listens on (the chosen one when PORT=0); only after {@link #start()}. */
    public int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.actualPort();
    }

    private void countResponses(RoutingContext ctx) {
        String path = ctx.request().path();
        long began = System.nanoTime();
        ctx.addHeadersEndHandler(v -> {
            metrics.request(route(path), Integer.toString(ctx.response().getStatusCode()), System.nanoTime() - began);
        });
        ctx.next();
    }

    private String route(String path) {
        if (path.equals(config.twimlPath()) || path.equals(config.webhookPath()) || path.equals(config.ciWebhookPath())
                || path.equals("/healthz") || path.equals(config.actionPath()) || path.equals(config.websocketPath())
                || IngressConfig.CALL_EVENTS.stream().anyMatch(event -> path.equals(config.callEventPath(event)))) {
            return path;
        }
        return "other";
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (twilioCalls != null) {
            twilioCalls.shutdownNow();
        }
        if (server != null) {
            try {
                server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("Closing the HTTP server: {}", e.toString());
            }
        }
        if (egress != null) {
            egress.close();
        }
        if (lookup != null) {
            lookup.close();
        }
        if (relayPublisher != null) {
            relayPublisher.close();
        }
        if (publisher != null) {
            publisher.close();
        }
        if (intelligence != null) {
            intelligence.close();
        }
    }
}
