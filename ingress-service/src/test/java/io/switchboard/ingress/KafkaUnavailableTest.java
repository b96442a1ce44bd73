package io.switchboard.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.KafkaSettings;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.testkit.TestKafka;
import io.switchboard.topics.TopicProvisioner;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/**
 * With the broker gone, a webhook (messaging or CI) is answered 503 within the configured bound, so Twilio retries
 * it; beyond INGRESS_MAX_IN_FLIGHT waiting webhooks, 503 at once.
 */
class KafkaUnavailableTest {

    @Test
    void webhookGets503WithinTheBoundWhenKafkaIsDown() throws Exception {
        TestKafka.Cluster cluster = TestKafka.start(1);
        Vertx vertx = Vertx.vertx();
        IngressFixture ingress = null;
        try {
            Map<String, String> kafkaEnv = Map.of("KAFKA_BOOTSTRAP_SERVERS", cluster.bootstrapServers());
            KafkaSettings settings = KafkaSettings.fromEnv(kafkaEnv);
            try (Admin admin = new KafkaClients(settings).admin("provisioner")) {
                new TopicProvisioner(admin, settings, 30_000).provision();
            }
            ingress = new IngressFixture(vertx, 0, Map.of("KAFKA_BOOTSTRAP_SERVERS", cluster.bootstrapServers(),
                    "INGRESS_PRODUCE_TIMEOUT_MS", "1500", "INGRESS_MAX_IN_FLIGHT", "2",
                    IngressConfig.CI_CONFIGURATION_ID, "intelligence_configuration_01"));
            assertThat(ingress.twilio.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", "conv_up", "comms_up",
                    "+15559876543", "while the broker is up")).status()).isEqualTo(200);

            cluster.close();

            long started = System.nanoTime();
            var response = ingress.twilio.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", "conv_down",
                    "comms_down", "+15559876543", "while the broker is down"));
            long elapsedMs = (System.nanoTime() - started) / 1_000_000;
            assertThat(response.status()).isEqualTo(503);
            assertThat(elapsedMs).isBetween(1_000L, 4_000L);

            // the Conversation Intelligence webhook too: no 2xx without Kafka's acknowledgement
            var ci = ingress.twilio.postJson("/ci-webhook", TwilioWebhooks.intelligenceEvent("intelligence_configuration_01",
                    "conv_down", TwilioWebhooks.operatorResult("intelligence_operatorresult_down", "LY1", "mem_profile_1",
                            new io.vertx.core.json.JsonObject().put("summary", "s"))));
            assertThat(ci.status()).isEqualTo(503);
            assertThat(new io.vertx.core.json.JsonObject(ci.body()).getBoolean("success")).isFalse();

            // Twelve at once (two of them CI webhooks: one limit for every route) with room for two waiting on Kafka:
            // the other ten are shed at once with Retry-After.
            IngressFixture shedding = ingress;
            List<CompletableFuture<TwilioWebhooks.Response>> flood = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                boolean intelligence = i % 6 == 5;
                String path = intelligence ? "/ci-webhook" : "/webhook";
                String body = intelligence
                        ? TwilioWebhooks.intelligenceEvent("intelligence_configuration_01", "conv_down_" + i,
                                TwilioWebhooks.operatorResult("intelligence_operatorresult_flood_" + i, "LY1",
                                        "mem_profile_1", new io.vertx.core.json.JsonObject().put("summary", "s")))
                        : TwilioWebhooks.communicationCreated("SMS", "conv_down_" + i, "comms_down_" + i,
                                "+15559876543", "flood while the broker is down");
                flood.add(CompletableFuture.supplyAsync(() -> shedding.twilio.postJson(path, body)));
            }
            for (CompletableFuture<TwilioWebhooks.Response> answer : flood) {
                assertThat(answer.get(10, TimeUnit.SECONDS).status()).isEqualTo(503);
                assertThat(answer.get().headers().get("Retry-After")).isEqualTo("1");
            }
            assertThat(ingress.meters.get("switchboard.ingress.webhooks.shed").counter().count()).isGreaterThanOrEqualTo(10);
        } finally {
            if (ingress != null) {
                ingress.close();
            }
            vertx.close();
        }
    }
}
