package io.switchboard.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.KafkaSettings;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.testkit.TestKafka;
import io.switchboard.testkit.TwilioWebhooks;
import io.switchboard.topics.TopicProvisioner;
import io.vertx.core.Vertx;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/** With the broker gone, a webhook (messaging or CI) is answered 503 within the configured bound, so Twilio retries it. */
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
                    "INGRESS_PRODUCE_TIMEOUT_MS", "1500", IngressConfig.CI_CONFIGURATION_ID, "intelligence_configuration_01"));
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
        } finally {
            if (ingress != null) {
                ingress.close();
            }
            vertx.close();
        }
    }
}
