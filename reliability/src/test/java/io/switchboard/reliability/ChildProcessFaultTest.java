package io.switchboard.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.KafkaSettings;
import io.switchboard.dev.EmbeddedKafka;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.localtwilio.FakeTwilioApi.Reply;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.reliability.FaultTraffic.VoiceFault;
import io.switchboard.topics.TopicProvisioner;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real processes, real kills: ingress, memory, router, outbound-sender and the echo agent run as child JVMs from
 * {@code switchboard.jar} against a broker of this test's own (restartable: same data, same port) and a fake Twilio
 * API ({@link ChildServices}). Signed SMS webhooks flow in steadily (retried on anything but 200, as Twilio does),
 * and ConversationRelay calls prompt steadily ({@link FaultTraffic}, {@link VoiceCalls}), while a service is killed with SIGKILL and restarted, while the broker restarts, while the fake
 * Twilio API answers 5xx / 429 / slowly, and while it is unreachable. Afterwards every acknowledged webhook must have
 * been answered exactly once, in order per conversation, and every prompt of a call still up answered exactly once,
 * in order per call.
 *
 * <p>Default: ingress, memory and agent kills plus the Twilio error and unreachable windows (a killed consumer-group
 * member's partitions move after the consumer session timeout, 45 s, so the agent kill costs that; ingress and memory
 * hold no partitions the replies wait for), the broker away 8 s. {@code -Dswitchboard.reliability.long=true}: router,
 * outbound-sender, agent, ingress and memory killed in turn, then a broker restart under load, more traffic.
 *
 * <p>Voice: killing ingress kills its sockets (Twilio would hang up): prompts left unanswered on them are counted as
 * dropped, not lost, and the lines dial new calls once ingress is back. Nobody resends a relay frame, so ingress
 * retries its event for INGRESS_RELAY_PRODUCE_TIMEOUT_MS (30 s), far longer than a webhook waits (5 s): a broker
 * away 8 s loses no prompt (asserted in the default mode too).
 */
class ChildProcessFaultTest {
    static final boolean LONG = Boolean.getBoolean("switchboard.reliability.long");
    static final String TOKEN = "fault-auth-token";
    static final Path LOGS = Path.of("target", "reliability-logs").toAbsolutePath();
    static final List<String> SMS = List.of("SMS");

    static FakeTwilioApi twilio;
    static Vertx vertx;
    static EmbeddedKafka kafka;
    static Path kafkaDir;
    static ChildServices services;
    static FaultTraffic.Target target;
    static final FaultTable table = new FaultTable("fault (child JVMs, kill -9)", false);

    @BeforeAll
    static void start() throws Exception {
        assertThat(ChildServices.JAR).as("build launcher first (mvn -pl reliability -am verify)").exists();
        twilio = FakeTwilioApi.start();
        vertx = Vertx.vertx();
        kafkaDir = Files.createTempDirectory("fault-kafka");
        kafka = EmbeddedKafka.start(kafkaDir, 0);
        services = new ChildServices(kafka.bootstrapServers(), twilio.baseUrl(), TOKEN, LOGS, Map.of());
        KafkaSettings settings = KafkaSettings.fromEnv(services.env);
        try (Admin admin = new KafkaClients(settings).admin("fault-provisioner")) {
            new TopicProvisioner(admin, settings, 30_000).provision();
        }
        target = new FaultTraffic.Target(twilio, vertx, services.port, TOKEN);
        services.startAll();
    }

    @AfterAll
    static void stop() {
        if (services != null) {
            services.close();
        }
        if (twilio != null) {
            twilio.close();
        }
        if (vertx != null) {
            vertx.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        table.print();
    }

    /** The broker stops (its data flushed) and starts again on the same port with the same data. */
    static void restartBroker(Duration down) throws Exception {
        int kafkaPort = kafka.port();
        kafka.close();
        Thread.sleep(down.toMillis());
        kafka = EmbeddedKafka.start(kafkaDir, kafkaPort);
    }

    static FaultTraffic traffic(String fault, int conversations, Duration pause) {
        return target.start(fault, SMS, conversations, pause, LONG ? 3 : 2);
    }

    static void verify(String fault, FaultTraffic traffic, int allowedLost) throws InterruptedException {
        verify(fault, traffic, allowedLost, 0, VoiceFault.CALLS_STAY_UP);
    }

    /**
     * {@code allowedLost}: replies Twilio answered with an ambiguous 500, which are not repeated by design;
     * {@code duplicateShare}: the share of messages that may be sent twice (outbound-sender's crash window).
     */
    static void verify(String fault, FaultTraffic traffic, int allowedLost, double duplicateShare, VoiceFault voiceFault)
            throws InterruptedException {
        FaultTraffic.Result result = traffic.verify(Duration.ofSeconds(allowedLost > 0 ? 15 : 90), voiceFault);
        table.add(fault, result);
        result.assertHolds(fault, allowedLost, duplicateShare, voiceFault);
    }

    @Test
    void everyAcknowledgedWebhookAndRelayPromptIsAnsweredOnceInOrderThroughKillsAndTwilioFaults() throws Exception {
        int conversations = LONG ? 8 : 4;
        Duration pause = Duration.ofMillis(LONG ? 100 : 250);
        List<String> victims = LONG ? List.of("router", "outbound", "agent", "ingress", "memory")
                : List.of("ingress", "memory", "agent");
        for (String victim : victims) {
            FaultTraffic traffic = traffic(victim, conversations, pause);
            Thread.sleep(2_000);
            services.kill(victim);
            Thread.sleep(1_000);
            services.launch(victim);
            if (victim.equals("ingress")) {
                // Its calls died with it; the voice lines dial new ones once it listens again, and those are counted.
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(services::healthy);
            }
            Thread.sleep(LONG ? 8_000 : 3_000);
            traffic.close();
            // outbound-sender's documented remaining window (outbound-sender/README.md): a reply Twilio accepted just
            // before the kill, whose delivery transaction had not committed, is sent again by the restarted copy.
            verify("kill -9 " + victim + " + restart", traffic, 0, victim.equals("outbound") ? 0.05 : 0,
                    victim.equals("ingress") ? VoiceFault.CALLS_HUNG_UP : VoiceFault.CALLS_STAY_UP);
        }
        if (LONG) {
            // The broker restarts under load: webhooks get 503 while it is away (Twilio retries them), every
            // service's clients reconnect on their own.
            FaultTraffic traffic = traffic("broker", conversations, pause);
            Thread.sleep(2_000);
            restartBroker(Duration.ofSeconds(2));
            Thread.sleep(10_000);
            traffic.close();
            verify("broker restart (same data, same port)", traffic, 0, 0.05, VoiceFault.CALLS_STAY_UP);
        }
        // Away for longer than a webhook waits for Kafka (INGRESS_PRODUCE_TIMEOUT_MS, 5 s): webhooks get 503 and are
        // retried as Twilio does; nobody resends a relay frame, so ingress keeps each prompt's event until the broker
        // is back (INGRESS_RELAY_PRODUCE_TIMEOUT_MS, 30 s) and every prompt is answered, late, once, in order.
        FaultTraffic away = traffic("broker-away", conversations, pause);
        Thread.sleep(2_000);
        restartBroker(Duration.ofSeconds(8));
        Thread.sleep(LONG ? 10_000 : 6_000);
        away.close();
        verify("broker away 8 s (> webhook produce timeout)", away, 0, 0.05, VoiceFault.CALLS_STAY_UP);
        // Retryable answers (Twilio certainly did not act): nothing may be lost.
        FaultTraffic traffic = traffic("twilio", conversations, pause);
        for (int i = 0; i < 3; i++) {
            twilio.respondNext("/Actions", Reply.twilioError(503, 20503, "Service Unavailable"));
            twilio.respondNext("/Actions", Reply.tooManyRequests(1));
            twilio.respondNext("/Actions", Reply.delayed(Duration.ofSeconds(2)));
            Thread.sleep(1_000);
        }
        Thread.sleep(2_000);
        traffic.close();
        verify("Twilio API 503 / 429 / 2 s slow (x3 each)", traffic, 0);

        // Unreachable (connection refused): the request never left, so repeating it is safe and nothing may be lost.
        FaultTraffic unreachable = traffic("unreachable", conversations, pause);
        Thread.sleep(1_000);
        twilio.stopListening();
        Thread.sleep(3_000);
        twilio.listenAgain();
        Thread.sleep(2_000);
        unreachable.close();
        verify("Twilio API unreachable 3 s (connection refused)", unreachable, 0);

        // A 500 is ambiguous (Twilio may have acted): the sender does not repeat a non-idempotent send, by design
        // (no double message); the reply becomes a FAILED delivery event. Exactly those replies are missing.
        FaultTraffic ambiguous = traffic("twilio500", conversations, pause);
        Thread.sleep(500);
        twilio.respondNext("/Actions", Reply.serverError());
        twilio.respondNext("/Actions", Reply.serverError());
        Thread.sleep(2_000);
        ambiguous.close();
        verify("Twilio API 500 x2 (ambiguous: not repeated)", ambiguous, 2);

        // Every child's log: the auth token never, a customer's full number never.
        try (var files = Files.list(LOGS)) {
            for (Path log : files.toList()) {
                String text = Files.readString(log, StandardCharsets.ISO_8859_1);
                assertThat(text).as(log.getFileName().toString()).doesNotContain(TOKEN)
                        .doesNotContain(TwilioWebhooks.CUSTOMER);
            }
        }
    }
}
