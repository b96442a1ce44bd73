package io.switchboard.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.config.KafkaSettings;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.launcher.observability.Health;
import io.switchboard.testkit.FreePorts;
import io.switchboard.topics.TopicProvisioner;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's readiness as a broker comes up: dev's embedded broker, because it can start late on a port chosen
 * beforehand (the test kit's clusters pick their own).
 */
class HealthTest {
    private final Vertx vertx = Vertx.vertx();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dataDir;

    @AfterEach
    void closeVertx() {
        vertx.close().await();
    }

    @Test
    void readyzIsFalseUntilKafkaIsUpWithEveryTopicAndEveryServiceSaysReady() throws Exception {
        int kafkaPort = FreePorts.one();
        Map<String, String> env = Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "127.0.0.1:" + kafkaPort,
                KafkaSettings.TOPIC_PARTITIONS, "1", KafkaSettings.VOICE_EGRESS_PARTITIONS, "1");
        KafkaSettings settings = KafkaSettings.fromEnv(env);
        AtomicReference<Optional<String>> streams = new AtomicReference<>(Optional.of("router streams are REBALANCING"));
        try (Health health = new Health(vertx, settings)) {
            health.add("channel-router", streams::get);
            int port = serve(health);

            HttpResponse<String> noKafka = get(port, "/readyz");
            assertThat(noKafka.statusCode()).isEqualTo(503);
            assertThat(new JsonObject(noKafka.body()).getJsonObject("notReady").getString("kafka"))
                    .contains("127.0.0.1:" + kafkaPort);
            assertThat(get(port, "/healthz").statusCode()).as("alive even without Kafka").isEqualTo(200);

            try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, kafkaPort)) {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                        new JsonObject(get(port, "/readyz").body()).getJsonObject("notReady").getString("kafka", ""))
                        .startsWith("topics missing: tac."));

                try (Admin admin = new KafkaClients(settings).admin("health-test")) {
                    new TopicProvisioner(admin, settings, 30_000).provision();
                }
                HttpResponse<String> streamsNotRunning = get(port, "/readyz");
                assertThat(streamsNotRunning.statusCode()).isEqualTo(503);
                assertThat(new JsonObject(streamsNotRunning.body()).getJsonObject("notReady").fieldNames())
                        .containsExactly("channel-router");

                streams.set(Optional.empty());
                HttpResponse<String> ready = get(port, "/readyz");
                assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
                assertThat(new JsonObject(ready.body()).getBoolean("ready")).isTrue();
            }
        }
    }

    private int serve(Health health) {
        Router router = Router.router(vertx);
        health.accept(router);
        HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
        return server.actualPort();
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
