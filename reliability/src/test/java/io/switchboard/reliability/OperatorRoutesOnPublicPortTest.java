package io.switchboard.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.testkit.LogCapture;
import io.switchboard.config.InternalToken;
import io.switchboard.config.KafkaSettings;
import io.switchboard.dev.DevServices;
import io.switchboard.dev.DevStack;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.memory.service.MemoryService;
import io.switchboard.topics.Topic;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every operator route tried on the public port of a whole {@code dev} stack — with the local stand-in for Twilio,
 * so the simulator is on and every operator route exists: each is 404 there (with or without the internal token),
 * produces nothing on any topic and reads nothing from memory; the same routes do answer on the operator listener,
 * so the list cannot go stale unnoticed. And the memory API there: 401 without the token or with a wrong one (a log
 * line naming the route, never the token), 200 with it.
 */
class OperatorRoutesOnPublicPortTest {
    /** An operator route: how to call it, and what it answers on the operator listener with the token. */
    record Route(String method, String path, String body, int operatorStatus) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    static final String CUSTOMER = "+15550009876";
    static final List<Route> OPERATOR_ROUTES = List.of(
            new Route("GET", "/", null, 200),
            new Route("GET", "/simulator/app.js", null, 200),
            new Route("GET", "/simulator/style.css", null, 200),
            new Route("GET", "/metrics", null, 200),
            new Route("GET", "/readyz", null, 200),
            new Route("POST", "/memory/retrieve", "{\"address\":\"" + CUSTOMER + "\"}", 200),
            new Route("GET", "/memory/internal/customers/addr:" + CUSTOMER, null, 200),
            // the local provider has no profiles: its own 404 with a JSON reason, not "no such route"
            new Route("GET", "/memory/profiles/mem_profile_01", null, 404),
            new Route("POST", "/memory/observations", "{\"address\":\"" + CUSTOMER + "\",\"content\":\"prefers e-mail\"}", 201),
            new Route("GET", "/simulator/trace?conversationId=conv_operator_only", null, 200));

    static DevStack stack;
    static LogCapture logs;
    static String token;
    static final Vertx vertx = Vertx.vertx();
    static final WebSocketClient sockets = vertx.createWebSocketClient();
    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        logs = LogCapture.install();
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        stack = DevStack.start(new DevStack.Settings(Files.createTempDirectory("operator-routes"), 0, port),
                Map.of(KafkaSettings.TOPIC_PARTITIONS, "1", KafkaSettings.VOICE_EGRESS_PARTITIONS, "1",
                        "SWITCHBOARD_OPERATOR_PORT", "0"), DevServices.all());
        token = stack.env().get(InternalToken.NAME);
    }

    @AfterAll
    static void stop() {
        stack.close();
        sockets.close();
        vertx.close();
        logs.close();
    }

    @Test
    void everyOperatorRouteIs404OnThePublicPortProducesNothingAndReadsNothing() throws Exception {
        long produced = recordsOnEveryTopic();
        List<String> memoryCounts = memoryCounts();
        for (Route route : OPERATOR_ROUTES) {
            for (String authorization : new String[] {null, "Bearer " + token}) {
                HttpResponse<String> answer = send(publicBase(), route, authorization);
                assertThat(answer.statusCode()).as("%s on the public port (token: %s)", route, authorization != null)
                        .isEqualTo(404);
                assertThat(answer.body()).doesNotContain(CUSTOMER).doesNotContain("jvm_").doesNotContain("<title>");
            }
        }
        assertThat(upgradeStatus(stack.settings().httpPort(), "/simulator/socket")).isEqualTo(404);
        assertThat(send(publicBase(), new Route("GET", "/healthz", null, 200), null).statusCode()).isEqualTo(200);

        // Nothing was written (observations, events) and the memory was never asked.
        Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> recordsOnEveryTopic() == produced);
        assertThat(memoryCounts()).isEqualTo(memoryCounts);

        // The same routes are alive on the operator listener (so a 404 above means "not here", not "gone").
        for (Route route : OPERATOR_ROUTES) {
            HttpResponse<String> answer = Awaitility.await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> send(operatorBase(), route, "Bearer " + token), a -> a.statusCode() != 503);
            assertThat(answer.statusCode()).as("%s on the operator listener: %s", route, answer.body())
                    .isEqualTo(route.operatorStatus());
        }
        assertThat(upgradeStatus(stack.operator().port(), "/simulator/socket")).isEqualTo(101);
        assertThat(memoryCounts()).isNotEqualTo(memoryCounts);
        assertThat(recordsOnEveryTopic()).as("the observation written on the operator listener").isGreaterThan(produced);
    }

    @Test
    void theMemoryApiRefusesCallersWithoutTheTokenLogsItAndNeverLogsTheToken() throws Exception {
        Route retrieve = OPERATOR_ROUTES.get(5);
        assertThat(send(operatorBase(), retrieve, null).statusCode()).isEqualTo(401);
        assertThat(send(operatorBase(), retrieve, "Bearer " + token.substring(1) + "x").statusCode()).isEqualTo(401);
        assertThat(send(operatorBase(), retrieve, "Bearer " + token).statusCode()).isIn(200, 503);
        assertThat(logs.containing("Refused POST /memory/retrieve")).hasSize(2)
                .anyMatch(line -> line.contains("no Authorization header"))
                .anyMatch(line -> line.contains("wrong bearer token"));
        assertThat(logs.lines()).noneMatch(line -> line.contains(token) || line.contains(token.substring(1)));
    }

    private static String publicBase() {
        return "http://127.0.0.1:" + stack.settings().httpPort();
    }

    private static String operatorBase() {
        return stack.operator().localBaseUrl();
    }

    private static HttpResponse<String> send(String base, Route route, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + route.path())).timeout(Duration.ofSeconds(20))
                .method(route.method(), route.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(route.body()));
        if (route.body() != null) {
            request.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** 101 when the WebSocket upgrade is accepted, else the status it was refused with. */
    private static int upgradeStatus(int port, String path) throws Exception {
        try {
            sockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).close();
            return 101;
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(UpgradeRejectedException.class);
            return ((UpgradeRejectedException) e.getCause()).getStatus();
        }
    }

    /** The memory service's retrieval and observation counters, as /metrics shows them. */
    private static List<String> memoryCounts() throws Exception {
        return send(operatorBase(), OPERATOR_ROUTES.get(3), null).body().lines()
                .filter(line -> line.startsWith("switchboard_memory_retrievals_total")
                        || line.startsWith("switchboard_memory_observations_total")).sorted().toList();
    }

    /** Records on every topic of the catalog and the memory's observations topic, all partitions. */
    private static long recordsOnEveryTopic() {
        KafkaClients clients = new KafkaClients(KafkaSettings.fromEnv(stack.env()));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(clients.consumerConfig(null, "operator-routes-test"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            Stream.concat(Stream.of(Topic.values()).map(Topic::topicName), Stream.of(MemoryService.OBSERVATIONS_TOPIC))
                    .forEach(topic -> consumer.partitionsFor(topic).forEach(p ->
                            partitions.add(new TopicPartition(p.topic(), p.partition()))));
            return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
