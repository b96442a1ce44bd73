package io.switchboard.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.KafkaSettings;
import io.switchboard.dev.EmbeddedKafka;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.localtwilio.FakeTwilioApi.Recorded;
import io.switchboard.localtwilio.FakeTwilioApi.Reply;
import io.switchboard.localtwilio.TwilioSignatures;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.vertx.core.Vertx;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import io.switchboard.topics.TopicProvisioner;
import org.apache.kafka.clients.admin.Admin;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real processes, real kills: ingress, memory, router, outbound-sender and the echo agent run as child JVMs from
 * {@code switchboard.jar} against a broker of this test's own (restartable: same data, same port) and a fake Twilio
 * API. The router runs with memory_mode {@code always}, so the memory service is on every message's path. Signed SMS
 * webhooks flow in steadily (retried on anything but 200, as Twilio does), and ConversationRelay calls prompt steadily
 * ({@link VoiceCalls}), while a service is killed with SIGKILL and restarted, while the broker restarts, while the fake
 * Twilio API answers 5xx / 429 / slowly, and while it is unreachable. Afterwards every acknowledged webhook must have
 * been answered exactly once, in order per conversation, and every prompt of a call still up answered exactly once,
 * in order per call.
 *
 * <p>Default: ingress, memory and agent kills plus the Twilio error and unreachable windows (a killed consumer-group
 * member's partitions move after the consumer session timeout, 45 s, so the agent kill costs that; ingress and memory
 * hold no partitions the replies wait for). {@code -Dswitchboard.reliability.long=true}: router, outbound-sender,
 * agent, ingress and memory killed in turn, then a broker restart under load, more traffic.
 *
 * <p>Voice: killing ingress kills its sockets (Twilio would hang up): prompts left unanswered on them are counted as
 * dropped, not lost, and the lines dial new calls once ingress is back. Relay events wait for Kafka no longer than
 * a webhook does (INGRESS_PRODUCE_TIMEOUT_MS) and nobody retries them (a late prompt has no use), so while the broker
 * is away prompts may be lost: the broker rows' voice losses are measured, not asserted.
 */
class ChildProcessFaultTest {
    static final boolean LONG = Boolean.getBoolean("switchboard.reliability.long");
    static final String TOKEN = "fault-auth-token";
    static final Path JAR = Path.of("..", "launcher", "target", "switchboard.jar").toAbsolutePath().normalize();
    static final Path LOGS = Path.of("target", "reliability-logs").toAbsolutePath();

    static FakeTwilioApi twilio;
    static Vertx vertx;
    static EmbeddedKafka kafka;
    static Path kafkaDir;
    static int port;
    static int memoryPort;
    static Map<String, String> env;
    /** Settings that differ from {@link #env} for one service (each service that serves HTTP has its own port). */
    static final Map<String, Map<String, String>> overrides = new HashMap<>();
    static final Map<String, Process> processes = new ConcurrentHashMap<>();
    static final AtomicInteger starts = new AtomicInteger();
    static final List<String> table = new ArrayList<>();
    static final List<String> voiceTable = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        assertThat(JAR).as("build launcher first (mvn -pl reliability -am verify)").exists();
        Files.createDirectories(LOGS);
        twilio = FakeTwilioApi.start();
        vertx = Vertx.vertx();
        port = freePort();
        memoryPort = freePort();
        kafkaDir = Files.createTempDirectory("fault-kafka");
        kafka = EmbeddedKafka.start(kafkaDir, 0);
        String run = UUID.randomUUID().toString().substring(0, 8);
        env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        // Fewer partitions than the catalog's default: the router's exactly-once commits stay small on 2 cores.
        env.put("SWITCHBOARD_TOPIC_PARTITIONS", "4");
        env.put("TWILIO_ACCOUNT_SID", TwilioWebhooks.ACCOUNT_SID);
        env.put("TWILIO_AUTH_TOKEN", TOKEN);
        env.put("TWILIO_PHONE_NUMBER", TwilioWebhooks.AGENT_NUMBER);
        env.put("TWILIO_API_BASE_URL", twilio.baseUrl());
        env.put("OUTBOUND_RETRY_INITIAL_BACKOFF_MS", "50");
        // Enough attempts, at most 1 s apart, to outlast the unreachable-Twilio window (a few seconds); with the
        // defaults (5 attempts from 200 ms) a message gives up after about 1.5 s of connection refused.
        env.put("OUTBOUND_RETRY_MAX_ATTEMPTS", "30");
        env.put("OUTBOUND_RETRY_MAX_BACKOFF_MS", "1000");
        env.put("OUTBOUND_GROUP_ID", "fault-outbound-" + run);
        env.put("SWITCHBOARD_AGENT_GROUP_ID", "fault-agent-" + run);
        env.put("SWITCHBOARD_ROUTER_APPLICATION_ID", "fault-router-" + run);
        env.put("SWITCHBOARD_ROUTER_STATE_DIR", Files.createTempDirectory("fault-router").toString());
        env.put("INGRESS_INSTANCE_ID", "0");
        env.put("PORT", Integer.toString(port));
        env.put("SWITCHBOARD_OPERATOR_PORT", "0"); // every service binds a free one, the memory service the port below
        env.put("SWITCHBOARD_INTERNAL_TOKEN", "fault-test-internal-token-" + run);
        env.put("SWITCHBOARD_MEMORY_MODE", "always");
        env.put("SWITCHBOARD_MEMORY_URL", "http://127.0.0.1:" + memoryPort);
        env.put("SWITCHBOARD_MEMORY_APPLICATION_ID", "fault-memory-" + run);
        env.put("SWITCHBOARD_MEMORY_STATE_DIR", Files.createTempDirectory("fault-memory").toString());
        // The memory API is on the memory service's operator listener, which the router and agent call.
        overrides.put("memory", Map.of("SWITCHBOARD_OPERATOR_PORT", Integer.toString(memoryPort)));
        KafkaSettings settings = KafkaSettings.fromEnv(env);
        try (Admin admin = new KafkaClients(settings).admin("fault-provisioner")) {
            new TopicProvisioner(admin, settings, 30_000).provision();
        }
        for (String service : List.of("memory", "router", "outbound", "agent", "ingress")) {
            launch(service);
        }
        Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> healthy());
    }

    @AfterAll
    static void stop() {
        processes.values().forEach(Process::destroyForcibly);
        if (twilio != null) {
            twilio.close();
        }
        if (vertx != null) {
            vertx.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        System.out.printf("%n%-48s | %8s | %4s | %10s | %5s%n", "fault (child JVMs, kill -9)", "messages", "lost",
                "duplicates", "order");
        table.forEach(System.out::println);
        System.out.printf("%n%-48s | %5s | %7s | %8s | %4s | %5s | %7s | %5s | %s%n", "fault (voice: ConversationRelay calls)",
                "calls", "prompts", "answered", "lost", "twice", "garbled", "order", "dropped (calls hung up by the fault)");
        voiceTable.forEach(System.out::println);
    }

    static void launch(String service) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", JAR.toString(), service);
        builder.environment().putAll(env);
        builder.environment().putAll(overrides.getOrDefault(service, Map.of()));
        File log = LOGS.resolve(service + "-" + starts.incrementAndGet() + ".log").toFile();
        builder.redirectErrorStream(true).redirectOutput(log);
        processes.put(service, builder.start());
    }

    static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The broker stops (its data flushed) and starts again on the same port with the same data. */
    static void restartBroker(Duration down) throws Exception {
        int kafkaPort = kafka.port();
        kafka.close();
        Thread.sleep(down.toMillis());
        kafka = EmbeddedKafka.start(kafkaDir, kafkaPort);
    }

    /** SIGKILL: no shutdown hook, no commit, no flush. */
    static void kill(String service) throws Exception {
        Process process = processes.get(service);
        process.destroyForcibly();
        process.waitFor();
    }

    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    static boolean healthy() {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    /** Posts one signed SMS until ingress acknowledges it with 200 (Twilio retries anything else). */
    static void deliver(String conversation, String text) throws InterruptedException {
        String body = TwilioWebhooks.communicationCreated("SMS", conversation, conversation + "_" + text,
                TwilioWebhooks.CUSTOMER, text);
        String path = TwilioSignatures.withBodyHash("/webhook", body);
        String signature = TwilioSignatures.signJson(TOKEN, "http://127.0.0.1:" + port + path);
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                        .header("X-Twilio-Signature", signature)
                        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // ingress down or restarting: retry like Twilio
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("webhook never acknowledged: " + conversation + " " + text);
    }

    /**
     * Steady traffic: one thread per SMS conversation, messages in order, each acknowledged before the next; and
     * ConversationRelay calls prompting alongside.
     */
    static final class Traffic implements AutoCloseable {
        final Map<String, List<String>> acknowledged = new ConcurrentHashMap<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final List<Thread> threads = new ArrayList<>();
        final VoiceCalls voice;

        Traffic(String fault, int conversations, Duration pause) {
            voice = new VoiceCalls(vertx, port, TOKEN, LONG ? 3 : 2, Duration.ofMillis(700));
            for (int c = 0; c < conversations; c++) {
                String conversation = "conv_fault_" + fault + "_" + c + "_" + UUID.randomUUID().toString().substring(0, 6);
                List<String> sent = java.util.Collections.synchronizedList(new ArrayList<>());
                acknowledged.put(conversation, sent);
                Thread thread = new Thread(() -> {
                    int i = 0;
                    try {
                        while (running.get()) {
                            String text = "m" + i++;
                            deliver(conversation, text);
                            sent.add(text);
                            Thread.sleep(pause.toMillis());
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "traffic-" + c);
                thread.start();
                threads.add(thread);
            }
        }

        /** Stops sending; the calls stay up until {@link #verify} has counted their answers. */
        @Override
        public void close() throws InterruptedException {
            running.set(false);
            voice.stopPrompting();
            for (Thread t : threads) {
                t.join(130_000);
            }
        }
    }

    /** What a fault does to the relay calls, by design. */
    enum VoiceFault {
        /** Calls stay up: every prompt is answered exactly once, in order. */
        CALLS_STAY_UP,
        /** Ingress dies, and its sockets with it: prompts unanswered on them are dropped with the call. */
        CALLS_HUNG_UP,
        /** Kafka away: ingress does not buffer relay events, so prompts may be lost (measured, not asserted). */
        PROMPTS_MAY_BE_LOST
    }

    /** Waits for every acknowledged message's reply, then counts lost, duplicated and out-of-order replies. */
    static void verify(String fault, Traffic traffic, int allowedLost) throws InterruptedException {
        verify(fault, traffic, allowedLost, 0, VoiceFault.CALLS_STAY_UP);
    }

    /**
     * {@code allowedLost}: replies Twilio answered with an ambiguous 500, which are not repeated by design;
     * {@code duplicateShare}: the share of messages that may be sent twice (outbound-sender's crash window).
     */
    static void verify(String fault, Traffic traffic, int allowedLost, double duplicateShare, VoiceFault voiceFault)
            throws InterruptedException {
        Map<String, List<String>> expected = new LinkedHashMap<>();
        traffic.acknowledged.forEach((k, v) -> expected.put(k, List.copyOf(v)));
        int messages = expected.values().stream().mapToInt(List::size).sum();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(allowedLost > 0 ? 15 : 90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> missing(expected) <= allowedLost);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // counted below
        }
        int lost = 0;
        int duplicates = 0;
        int disordered = 0;
        for (Map.Entry<String, List<String>> e : expected.entrySet()) {
            List<String> got = replies(e.getKey());
            List<String> want = e.getValue().stream().map(t -> "You said: " + t).toList();
            LinkedHashSet<String> distinct = new LinkedHashSet<>(got);
            duplicates += got.size() - distinct.size();
            lost += (int) want.stream().filter(w -> !distinct.contains(w)).count();
            List<String> order = distinct.stream().filter(want::contains).toList();
            if (!order.equals(want.stream().filter(distinct::contains).toList())) {
                disordered++;
            }
        }
        table.add(String.format("%-48s | %8d | %4d | %10d | %5s", fault, messages, lost, duplicates,
                disordered == 0 ? "kept" : disordered + " bad"));
        VoiceCalls.Counts voice = voiceCounts(fault, traffic.voice, voiceFault);
        assertThat(messages).as("messages acknowledged during " + fault).isPositive();
        assertThat(lost).as("lost during " + fault).isEqualTo(allowedLost);
        assertThat(duplicates).as("duplicates during " + fault).isLessThanOrEqualTo((int) (messages * duplicateShare));
        assertThat(disordered).as("conversations out of order during " + fault).isZero();

        assertThat(voice.prompts()).as("prompts sent during " + fault).isPositive();
        assertThat(voice.twice()).as("voice replies heard twice during " + fault).isZero();
        assertThat(voice.garbled()).as("voice replies echoing no prompt during " + fault).isZero();
        assertThat(voice.disordered()).as("calls answered out of order during " + fault).isZero();
        if (voiceFault != VoiceFault.PROMPTS_MAY_BE_LOST) {
            assertThat(voice.lost()).as("prompts lost on calls still up during " + fault).isZero();
        }
        if (voiceFault != VoiceFault.CALLS_HUNG_UP) {
            assertThat(voice.droppedCalls()).as("calls hung up during " + fault).isZero();
        }
    }

    /** Waits for the answers of the prompts on calls still up, counts, then hangs every call up. */
    static VoiceCalls.Counts voiceCounts(String fault, VoiceCalls calls, VoiceFault voiceFault)
            throws InterruptedException {
        try {
            Awaitility.await().atMost(Duration.ofSeconds(voiceFault == VoiceFault.PROMPTS_MAY_BE_LOST ? 20 : 90))
                    .pollInterval(Duration.ofMillis(500)).until(() -> calls.unanswered() == 0);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // counted below
        }
        VoiceCalls.Counts c = calls.counts();
        calls.close();
        voiceTable.add(String.format("%-48s | %5d | %7d | %8d | %4d | %5d | %7d | %5s | %s", fault, c.calls(),
                c.prompts(), c.answered(), c.lost(), c.twice(), c.garbled(),
                c.disordered() == 0 ? "kept" : c.disordered() + " bad",
                c.droppedCalls() == 0 ? "0" : c.dropped() + " prompts on " + c.droppedCalls() + " calls"));
        return c;
    }

    static int missing(Map<String, List<String>> expected) {
        int missing = 0;
        for (Map.Entry<String, List<String>> e : expected.entrySet()) {
            List<String> got = replies(e.getKey());
            missing += (int) e.getValue().stream().filter(t -> !got.contains("You said: " + t)).count();
        }
        return missing;
    }

    /** The texts Twilio accepted (2xx) for a conversation, in arrival order. */
    static List<String> replies(String conversation) {
        return twilio.requests().stream()
                .filter(r -> r.path().contains("/" + conversation + "/") && r.status() / 100 == 2)
                .sorted(java.util.Comparator.comparing(Recorded::at))
                .map(r -> r.json().at("/payload/content/text").asText()).toList();
    }

    @Test
    void everyAcknowledgedWebhookAndRelayPromptIsAnsweredOnceInOrderThroughKillsAndTwilioFaults() throws Exception {
        int conversations = LONG ? 8 : 4;
        Duration pause = Duration.ofMillis(LONG ? 100 : 250);
        List<String> victims = LONG ? List.of("router", "outbound", "agent", "ingress", "memory")
                : List.of("ingress", "memory", "agent");
        for (String victim : victims) {
            Traffic traffic = new Traffic(victim, conversations, pause);
            Thread.sleep(2_000);
            kill(victim);
            Thread.sleep(1_000);
            launch(victim);
            if (victim.equals("ingress")) {
                // Its calls died with it; the voice lines dial new ones once it listens again, and those are counted.
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> healthy());
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
            Traffic traffic = new Traffic("broker", conversations, pause);
            Thread.sleep(2_000);
            restartBroker(Duration.ofSeconds(2));
            Thread.sleep(10_000);
            traffic.close();
            verify("broker restart (same data, same port)", traffic, 0, 0.05, VoiceFault.PROMPTS_MAY_BE_LOST);

            // Away for longer than ingress waits for a Kafka acknowledgement (INGRESS_PRODUCE_TIMEOUT_MS, 5 s):
            // webhooks get 503 and are retried by Twilio, but a relay event has no one to retry it, so prompts
            // spoken meanwhile are lost (measured, by design: a prompt answered that late has no use).
            Traffic away = new Traffic("broker-away", conversations, pause);
            Thread.sleep(2_000);
            restartBroker(Duration.ofSeconds(8));
            Thread.sleep(10_000);
            away.close();
            verify("broker away 8 s (> ingress produce timeout)", away, 0, 0.05, VoiceFault.PROMPTS_MAY_BE_LOST);
        }
        // Retryable answers (Twilio certainly did not act): nothing may be lost.
        Traffic traffic = new Traffic("twilio", conversations, pause);
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
        Traffic unreachable = new Traffic("unreachable", conversations, pause);
        Thread.sleep(1_000);
        twilio.stopListening();
        Thread.sleep(3_000);
        twilio.listenAgain();
        Thread.sleep(2_000);
        unreachable.close();
        verify("Twilio API unreachable 3 s (connection refused)", unreachable, 0);

        // A 500 is ambiguous (Twilio may have acted): the sender does not repeat a non-idempotent send, by design
        // (no double message); the reply becomes a FAILED delivery event. Exactly those replies are missing.
        Traffic ambiguous = new Traffic("twilio500", conversations, pause);
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
