package io.switchboard.launcher.dev;

import io.switchboard.config.KafkaSettings;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.launcher.ServiceContext;
import io.switchboard.launcher.ServiceDefinition;
import io.switchboard.service.ManagedService;
import io.switchboard.testkit.FakeTwilioApi;
import io.switchboard.topics.TopicProvisioner;
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
 * Everything of {@code switchboard dev} in one JVM: the embedded broker, the topic catalog provisioned on it, then
 * each service in order, given the environment with {@code KAFKA_BOOTSTRAP_SERVERS} pointing at the broker.
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
    private final Deque<ManagedService> running = new ArrayDeque<>();
    private final CountDownLatch closed = new CountDownLatch(1);

    private DevStack(Settings settings, EmbeddedKafka kafka, FakeTwilioApi twilio, Map<String, String> env) {
        this.settings = settings;
        this.kafka = kafka;
        this.twilio = twilio;
        this.env = Map.copyOf(env);
        this.context = new ServiceContext(this.env, true);
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
        DevStack stack = new DevStack(settings, kafka, twilio, env);
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

    /** The base URL of the one HTTP port all routes share in {@code dev}. */
    public String httpBaseUrl() {
        return "http://localhost:" + settings.httpPort();
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
