package io.switchboard.dev.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.switchboard.config.InternalToken;
import io.switchboard.dev.DevStack;
import io.switchboard.launcher.Services;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.localtwilio.FakeTwilioApi.Reply;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.testkit.FreePorts;
import io.switchboard.testkit.RelayClient;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every metric the Grafana dashboard and the Prometheus alert rules of {@code deploy/} use — name and label names —
 * is one the services export. The whole of {@code dev} runs (every service of docker-compose.yml; in one JVM with one
 * registry, so its one /metrics holds what the compose services' scrapes hold together), takes an SMS through the
 * Conversation Orchestrator (its first send rate-limited, so retried), an SMS through Conversations v1 and a call,
 * and is then scraped as Prometheus would. Labels Prometheus adds itself (job, instance and prometheus.yml's target
 * labels) and its own {@code up} series need no export.
 */
class DashboardMetricsTest {
    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final Path DASHBOARD = DEPLOY.resolve("grafana/dashboards/switchboard.json");
    private static final Path ALERTS = DEPLOY.resolve("prometheus/alerts.yml");
    private static final Path PROMETHEUS = DEPLOY.resolve("prometheus/prometheus.yml");
    private static final String AUTH_TOKEN = "dashboard-auth-token";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Series Prometheus makes of each scrape. */
    private static final Set<String> PROMETHEUS_SERIES = Set.of("up", "scrape_duration_seconds", "scrape_samples_scraped");

    private static final Vertx vertx = Vertx.vertx();
    /** HTTP/1.1, as Prometheus scrapes (the JDK's default HTTP/2 upgrade attempt is no scrape). */
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static DevStack stack;
    private static Set<String> targetLabels;

    @BeforeAll
    static void runDevAndTakeTurns() throws Exception {
        int port = FreePorts.one();
        Map<String, String> env = Map.of(
                "TWILIO_AUTH_TOKEN", AUTH_TOKEN,
                "TWILIO_PHONE_NUMBER", TwilioWebhooks.AGENT_NUMBER,
                "SWITCHBOARD_TOPIC_PARTITIONS", "2",
                "SWITCHBOARD_VOICE_EGRESS_PARTITIONS", "1",
                // the router fetches memory for SMS and calls: the retrieval latency and the fetches are measured
                "SWITCHBOARD_MEMORY_MODE_SMS", "always",
                "SWITCHBOARD_MEMORY_MODE_VOICE", "always",
                "OUTBOUND_RETRY_INITIAL_BACKOFF_MS", "50",
                "SWITCHBOARD_OPERATOR_PORT", "0",
                "PORT", Integer.toString(port));
        stack = DevStack.start(new DevStack.Settings(Files.createTempDirectory("switchboard-dashboards"), 0, port), env,
                Services.all());
        targetLabels = targetLabels();
        FakeTwilioApi twilio = stack.localTwilio().orElseThrow();

        String orchestrated = "conv_conversation_" + id();
        twilio.respondNext("/v2/Conversations/" + orchestrated + "/Actions", Reply.tooManyRequests(1));
        String v1 = "CH" + id();
        try (TwilioWebhooks webhooks = new TwilioWebhooks(vertx, port, AUTH_TOKEN)) {
            assertThat(webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", orchestrated,
                    "comm_" + id(), TwilioWebhooks.CUSTOMER, "where is my order")).status()).isEqualTo(200);
            assertThat(webhooks.postForm("/webhook", TwilioWebhooks.messageAdded(v1, "IM" + id(),
                    TwilioWebhooks.CUSTOMER, "hi there", "SMS")).status()).isEqualTo(200);
        }
        try (RelayClient call = RelayClient.connect(vertx, port, AUTH_TOKEN)) {
            call.setup("CA" + id()).prompt("hello");
            call.awaitFrame(f -> "text".equals(f.getString("type")) && f.getBoolean("last", false));
        }
        twilio.awaitRequests(r -> r.path().contains("/" + orchestrated + "/"), 2, TIMEOUT);
        twilio.awaitRequests(r -> r.path().contains("/" + v1 + "/"), 1, TIMEOUT);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        vertx.close().await();
    }

    @Test
    void everyMetricAndLabelTheDashboardUsesIsExported() throws IOException {
        List<String> expressions = new ArrayList<>();
        collectExpressions(new ObjectMapper().readTree(DASHBOARD.toFile()), expressions);
        assertThat(expressions).as("the dashboard's PromQL").hasSizeGreaterThan(20);

        assertEventuallyExported(expressions);
    }

    @Test
    void everyMetricAndLabelTheAlertRulesUseIsExported() throws IOException {
        List<String> expressions = new ArrayList<>();
        for (JsonNode group : new YAMLMapper().readTree(ALERTS.toFile()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                assertThat(rule.path("alert").asText()).as("rule %s", rule).isNotBlank();
                expressions.add(rule.path("expr").asText());
            }
        }
        assertThat(expressions).as("the alert rules").hasSizeGreaterThan(10).allSatisfy(e -> assertThat(e).isNotBlank());

        assertEventuallyExported(expressions);
    }

    @Test
    void aMetricOrALabelNobodyExportsIsFound() throws Exception {
        Map<String, Set<String>> exported = Exposition.labelsByName(scrape());

        assertThat(problems(List.of("sum(rate(switchboard_nobody_exports_total[5m]))"), exported))
                .containsExactly("switchboard_nobody_exports_total is not exported, in: "
                        + "sum(rate(switchboard_nobody_exports_total[5m]))");
        assertThat(problems(List.of("sum by (colour) (rate(switchboard_ingress_requests_total{route=\"/webhook\"}[5m]))"),
                exported)).singleElement().asString().startsWith("label colour (by/on) is on none of");
        assertThat(problems(List.of("switchboard_ingress_relay_sockets_open{route=\"/ws\"}"), exported))
                .singleElement().asString().startsWith("switchboard_ingress_relay_sockets_open has no label route");
    }

    /** Counters count after their call returns: the scrape is repeated until it holds everything (or the timeout). */
    private static void assertEventuallyExported(List<String> expressions) {
        await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(problems(expressions, Exposition.labelsByName(scrape()))).isEmpty());
    }

    /** What the expressions use that {@code exported} (series name → label names) lacks, one line each. */
    private static List<String> problems(List<String> expressions, Map<String, Set<String>> exported) {
        List<String> problems = new ArrayList<>();
        for (String expression : expressions) {
            PromQl.Identifiers ids = PromQl.identifiers(expression);
            Set<String> available = new TreeSet<>(targetLabels);
            for (PromQl.Selector selector : ids.selectors()) {
                Set<String> labels = PROMETHEUS_SERIES.contains(selector.metric()) ? Set.of()
                        : exported.get(selector.metric());
                if (labels == null) {
                    problems.add(selector.metric() + " is not exported, in: " + expression);
                    continue;
                }
                available.addAll(labels);
                for (String label : selector.labels()) {
                    if (!labels.contains(label) && !targetLabels.contains(label)) {
                        problems.add(selector.metric() + " has no label " + label + " (it has " + labels + "), in: "
                                + expression);
                    }
                }
            }
            for (String label : ids.groupingLabels()) {
                if (!available.contains(label)) {
                    problems.add("label " + label + " (by/on) is on none of " + ids.selectors() + ", in: " + expression);
                }
            }
        }
        return problems;
    }

    private static void collectExpressions(JsonNode node, List<String> into) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> {
                if (field.getKey().equals("expr")) {
                    into.add(field.getValue().asText());
                } else {
                    collectExpressions(field.getValue(), into);
                }
            });
        } else if (node.isArray()) {
            node.forEach(child -> collectExpressions(child, into));
        }
    }

    /** job, instance and the labels prometheus.yml gives its targets (e.g. service). */
    private static Set<String> targetLabels() throws IOException {
        Set<String> labels = new TreeSet<>(Set.of("job", "instance"));
        for (JsonNode job : new YAMLMapper().readTree(PROMETHEUS.toFile()).path("scrape_configs")) {
            for (JsonNode targets : job.path("static_configs")) {
                targets.path("labels").fieldNames().forEachRemaining(labels::add);
            }
        }
        return labels;
    }

    /** dev's /metrics, as Prometheus asks for it (HTTP/1.1, the internal token). */
    private static String scrape() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create(stack.operator().localBaseUrl() + "/metrics"))
                .header("Authorization", "Bearer " + stack.env().get(InternalToken.NAME))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static String id() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}
