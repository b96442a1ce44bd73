package io.switchboard.dev;

import io.switchboard.config.KafkaSettings;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.launcher.HttpRoutes;
import io.switchboard.launcher.ServiceContext;
import io.switchboard.launcher.ServiceDefinition;
import io.switchboard.launcher.operator.OperatorConfig;
import io.switchboard.launcher.operator.OperatorListener;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.service.ManagedService;
import io.switchboard.topics.TopicProvisioner;
import io.switchboard.tracing.RecentSpans;
import io.switchboard.tracing.Tracing;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything of {@code switchboard dev} in one JVM: the embedded broker, the topic catalog provisioned on it, the
 * operator listener (loopback by default; the services' routes go there as they start), then each service in order, given the environment with {@code KAFKA_BOOTSTRAP_SERVERS} pointing at the broker.
 * {@link #close()} stops the services in reverse order, then their shared resources, then the broker.
 */
public final class DevStack implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DevStack.class);
    static final long PROVISION_TIMEOUT_MS = 30_000;

    /** Where and how {@code dev} runs. */
    public record Settings(Path dataDir, int kafkaPort, int httpPort) {
        public Settings {
            dataDir = dataDir.toAbsolutePath().normalize();
        }
    }

    private final Settings settings;
    private final EmbeddedKafka kafka;
    private final FakeTwilioApi twilio;
    private final Map<String, String> env;
    private final ServiceContext context;
    private final OperatorListener operator;
    private final Deque<ManagedService> running = new ArrayDeque<>();
    private final CountDownLatch closed = new CountDownLatch(1);

    /** How many ended spans dev keeps in memory (the oldest go first): a few hundred turns. */
    public static final int KEPT_SPANS = 8_192;
    private final RecentSpans spans = new RecentSpans(KEPT_SPANS);

    private DevStack(Settings settings, EmbeddedKafka kafka, FakeTwilioApi twilio, Map<String, String> env,
            Operator operator) {
        this.settings = settings;
        this.kafka = kafka;
        this.twilio = twilio;
        this.env = Map.copyOf(env);
        this.context = new ServiceContext(this.env);
        this.operator = operator.listener();
        // Bound before the services exist (they are told its address); theirs from now on, closed after them.
        context.shared(Vertx.class, operator::vertx, vertx -> vertx.close().await());
        context.shared(HttpRoutes.class, operator::routes, routes -> {
        });
        context.shared(OperatorListener.class, operator::listener, OperatorListener::close);
        // dev traces in process (OTEL_SDK_DISABLED=true turns it off): the simulator shows the last turn's spans
        // without any collector
        context.shared(RecentSpans.class, () -> spans, s -> {
        });
        boolean tracingOff = "true".equalsIgnoreCase(this.env.getOrDefault("OTEL_SDK_DISABLED", "").trim());
        context.shared(Tracing.class, () -> tracingOff ? Tracing.OFF : Tracing.inProcess(spans, "switchboard-dev"),
                Tracing::close);
        if (twilio != null) {
            // The simulator reads the agent's messaging replies from it.
            context.shared(FakeTwilioApi.class, () -> twilio, t -> {
            });
        }
    }

    /**
     * Starts the broker, provisions the topics and starts {@code services} in order. If anything fails, what was
     * started is closed again before the failure is thrown.
     */
    public static DevStack start(Settings settings, Map<String, String> processEnv, List<ServiceDefinition> services)
            throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(settings.dataDir().resolve("kafka"), settings.kafkaPort());
        Map<String, String> env = DevDefaults.apply(processEnv, settings.dataDir(), settings.httpPort());
        env.put(KafkaSettings.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        env.put("PORT", Integer.toString(settings.httpPort()));
        FakeTwilioApi twilio = null;
        if (DevDefaults.usesLocalTwilio(processEnv)) {
            try {
                twilio = FakeTwilioApi.start();
            } catch (RuntimeException e) {
                kafka.close();
                throw e;
            }
            env.put("TWILIO_API_BASE_URL", twilio.baseUrl());
        }
        Operator operator;
        try {
            operator = Operator.start(env);
        } catch (Exception | Error e) {
            if (twilio != null) {
                twilio.close();
            }
            kafka.close();
            throw e;
        }
        // The router (memory modes) and agents (retrieveMemory) reach the memory API on the operator listener.
        env.putIfAbsent("SWITCHBOARD_MEMORY_URL", operator.listener().localBaseUrl());
        DevStack stack = new DevStack(settings, kafka, twilio, env, operator);
        try {
            stack.provisionTopics();
            for (ServiceDefinition definition : services) {
                ManagedService service = definition.factory().create(stack.context);
                stack.running.push(service);
                service.start();
                log.info("Started {}", service.name());
            }
            return stack;
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    /** The operator listener with the Vert.x and routes it serves, made before the services' shared context. */
    private record Operator(Vertx vertx, HttpRoutes routes, OperatorListener listener) {
        static Operator start(Map<String, String> env) throws Exception {
            OperatorConfig config = OperatorConfig.fromEnv(env);
            Vertx vertx = Vertx.vertx();
            HttpRoutes routes = new HttpRoutes();
            try {
                return new Operator(vertx, routes, OperatorListener.start(vertx, config, routes));
            } catch (Exception | Error e) {
                vertx.close().await();
                throw e;
            }
        }
    }

    private void provisionTopics() {
        KafkaSettings kafkaSettings = KafkaSettings.fromEnv(env);
        try (Admin admin = new KafkaClients(kafkaSettings).admin("switchboard-dev-provisioner")) {
            new TopicProvisioner(admin, kafkaSettings, PROVISION_TIMEOUT_MS).provision();
        }
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String clusterId() {
        return kafka.clusterId();
    }

    public Settings settings() {
        return settings;
    }

    /** The base URL of the public port: Twilio's routes (webhooks, relay socket) and nothing else. */
    public String httpBaseUrl() {
        return "http://localhost:" + settings.httpPort();
    }

    /** The operator listener: the simulator, the memory API, /metrics, /readyz. */
    /** The spans of every service of this stack, latest {@link #KEPT_SPANS}. */
    public RecentSpans spans() {
        return spans;
    }

    public OperatorListener operator() {
        return operator;
    }

    /** The environment the services got. */
    public Map<String, String> env() {
        return env;
    }

    /** Names of the running services, in start order. */
    public List<String> serviceNames() {
        List<String> names = new ArrayList<>();
        running.descendingIterator().forEachRemaining(s -> names.add(s.name()));
        return names;
    }

    /** The local stand-in for Twilio's REST API when no Twilio account is configured. */
    public Optional<FakeTwilioApi> localTwilio() {
        return Optional.ofNullable(twilio);
    }

    public boolean freshlyFormatted() {
        return kafka.freshlyFormatted();
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    /** Closes the services in reverse start order, then their shared resources, then the broker; may be called twice. */
    @Override
    public synchronized void close() {
        if (closed.getCount() == 0) {
            return;
        }
        try {
            while (!running.isEmpty()) {
                ManagedService service = running.pop();
                try {
                    service.close();
                    log.info("Stopped {}", service.name());
                } catch (RuntimeException e) {
                    log.warn("Stopping {} failed", service.name(), e);
                }
            }
            context.close();
            if (twilio != null) {
                twilio.close();
            }
            log.info("Stopping the embedded Kafka broker");
            kafka.close();
            log.info("Kafka stopped; data kept in {}", settings.dataDir());
        } finally {
            closed.countDown();
        }
    }
}
