package io.switchboard.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.config.KafkaSettings;
import io.switchboard.dev.EmbeddedKafka;
import io.switchboard.events.InboundEvent;
import io.switchboard.ingress.IngressConfig;
import io.switchboard.ingress.IngressService;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.topics.Topic;
import io.switchboard.topics.TopicProvisioner;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The broker goes away and comes back (the same data, the same port): while it is away webhooks are answered 503,
 * so Twilio retries them; once it is back the retried webhook is accepted and its event is in the log.
 */
class BrokerOutageTest {

    @Test
    void aWebhookRefusedWhileTheBrokerIsDownIsDeliveredWhenTwilioRetriesAfterItIsBack() throws Exception {
        Path dataDir = Files.createTempDirectory("switchboard-outage");
        EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0);
        int kafkaPort = kafka.port();
        Map<String, String> env = Map.of(
                KafkaSettings.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                "SWITCHBOARD_TOPIC_PARTITIONS", "2",
                "TWILIO_ACCOUNT_SID", TwilioWebhooks.ACCOUNT_SID,
                "TWILIO_AUTH_TOKEN", "outage-token",
                "PORT", "0",
                "INGRESS_PRODUCE_TIMEOUT_MS", "1500");
        KafkaSettings settings = KafkaSettings.fromEnv(env);
        try (Admin admin = new KafkaClients(settings).admin("outage-provisioner")) {
            new TopicProvisioner(admin, settings, 30_000).provision();
        }
        Vertx vertx = Vertx.vertx();
        IngressService ingress = new IngressService(IngressConfig.fromEnv(env), vertx, new SimpleMeterRegistry());
        ingress.start();
        String before = TwilioWebhooks.communicationCreated("SMS", "conv_outage", "comm_before", TwilioWebhooks.CUSTOMER, "before");
        String during = TwilioWebhooks.communicationCreated("SMS", "conv_outage", "comm_during", TwilioWebhooks.CUSTOMER, "during");
        try (TwilioWebhooks twilio = new TwilioWebhooks(vertx, ingress.port(), "outage-token")) {
            assertThat(twilio.postJson("/webhook", before).status()).isEqualTo(200);

            kafka.close();
            assertThat(twilio.postJson("/webhook", during).status()).isEqualTo(503);

            kafka = EmbeddedKafka.start(dataDir, kafkaPort);
            // Twilio retries a webhook that was not acknowledged; the producer reconnects on its own.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> twilio.postJson("/webhook", during).status() == 200);
        } finally {
            ingress.close();
            vertx.close();
        }
        try {
            assertThat(eventIds(settings)).contains("comm_before", "comm_during");
        } finally {
            kafka.close();
        }
    }

    private static List<String> eventIds(KafkaSettings settings) {
        List<String> ids = new ArrayList<>();
        try (KafkaConsumer<String, InboundEvent> consumer = new KafkaClients(settings).consumer(null, "outage-reader", Topic.INBOUND)) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topic.INBOUND.topicName()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.currentTimeMillis() + 30_000;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, InboundEvent> record : consumer.poll(Duration.ofMillis(200))) {
                    ids.add(record.value().getEventId());
                }
            }
        }
        return ids;
    }
}
