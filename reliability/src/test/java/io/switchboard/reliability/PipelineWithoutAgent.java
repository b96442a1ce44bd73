package io.switchboard.reliability;

import io.switchboard.launcher.ServiceContext;
import io.switchboard.launcher.ServiceDefinition;
import io.switchboard.launcher.Services;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.localtwilio.FakeTwilioApi.Recorded;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.service.ManagedService;
import io.switchboard.testkit.FreePorts;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;

/**
 * What {@code dev --without agent} runs, in this JVM on a given cluster: ingress, router and outbound-sender (memory
 * off: memory_mode never), the fake Twilio API as Twilio, fresh group and application ids; an agent of another
 * language answers beside it.
 */
final class PipelineWithoutAgent implements AutoCloseable {
    static final String TOKEN = "pipeline-without-agent-auth-token";

    final FakeTwilioApi twilio = FakeTwilioApi.start();
    final Vertx vertx = Vertx.vertx();
    final int port;
    /** The services' environment (the cluster's settings included), for a Java agent beside them. */
    final Map<String, String> env;
    private final ServiceContext context;
    private final Deque<ManagedService> services = new ArrayDeque<>();
    private final TwilioWebhooks webhooks;

    /** {@code clusterEnv}: the bootstrap servers and serde settings of the cluster to run on. */
    PipelineWithoutAgent(Map<String, String> clusterEnv) throws Exception {
        port = FreePorts.one();
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> env = new HashMap<>(clusterEnv);
        env.put("TWILIO_ACCOUNT_SID", TwilioWebhooks.ACCOUNT_SID);
        env.put("TWILIO_AUTH_TOKEN", TOKEN);
        env.put("TWILIO_PHONE_NUMBER", TwilioWebhooks.AGENT_NUMBER);
        env.put("TWILIO_API_BASE_URL", twilio.baseUrl());
        env.put("TWILIO_VOICE_PUBLIC_DOMAIN", "localhost:" + port);
        env.put("PORT", Integer.toString(port));
        env.put("INGRESS_INSTANCE_ID", "0");
        env.put("SWITCHBOARD_OPERATOR_PORT", "0");
        env.put("OUTBOUND_RETRY_INITIAL_BACKOFF_MS", "50");
        env.put("OUTBOUND_GROUP_ID", "no-agent-outbound-" + run);
        env.put("SWITCHBOARD_ROUTER_APPLICATION_ID", "no-agent-router-" + run);
        env.put("SWITCHBOARD_ROUTER_STATE_DIR", Files.createTempDirectory("no-agent-router").toString());
        this.env = Map.copyOf(env);
        context = new ServiceContext(env);
        webhooks = new TwilioWebhooks(vertx, port, TOKEN);
        try {
            for (ServiceDefinition definition : Services.all()) {
                if (List.of("router", "outbound", "ingress").contains(definition.command())) {
                    ManagedService service = definition.factory().create(context);
                    services.push(service);
                    service.start();
                }
            }
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    /** Posts one signed SMS webhook until ingress acknowledges it with 200, as Twilio retries. */
    void deliver(String conversation, String text) {
        String body = TwilioWebhooks.communicationCreated("SMS", conversation, conversation + "_" + text,
                TwilioWebhooks.CUSTOMER, text);
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> webhooks.postJson("/webhook", body).status() == 200);
    }

    /** The texts the fake Twilio API accepted (2xx) for a conversation, in arrival order: what the customer got. */
    List<String> replies(String conversation) {
        return twilio.requests().stream()
                .filter(r -> r.path().contains("/" + conversation + "/") && r.status() / 100 == 2)
                .sorted(Comparator.comparing(Recorded::at))
                .map(r -> r.json().at("/payload/content/text").asText()).toList();
    }

    @Override
    public void close() {
        while (!services.isEmpty()) {
            services.pop().close();
        }
        context.close();
        webhooks.close();
        twilio.close();
        vertx.close();
    }
}
