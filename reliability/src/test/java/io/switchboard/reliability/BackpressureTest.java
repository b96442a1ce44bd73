package io.switchboard.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.KafkaSettings;
import io.switchboard.dev.EmbeddedKafka;
import io.switchboard.events.InboundEvent;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.localtwilio.TwilioSignatures;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.topics.Topic;
import io.switchboard.topics.TopicProvisioner;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Webhook floods (many concurrent signed webhooks, as fast as the client can send) against one in-process ingress:
 * every request is answered 200 or 503 (never dropped, never 5xx otherwise), and the heap stays bounded. With Kafka
 * away, at most INGRESS_MAX_IN_FLIGHT webhooks wait for it; the rest are answered 503 at once, and once Kafka is back
 * every webhook Twilio retries is acknowledged and in the log. Prints throughput, statuses and heap.
 */
class BackpressureTest {
    static final boolean LONG = Boolean.getBoolean("switchboard.reliability.long");
    static final int REQUESTS = LONG ? 20_000 : 3_000;
    static final int CONCURRENCY = 128;

    @Test
    void aFloodIsAnsweredWith200Or503AndTheHeapStaysBounded() throws Exception {
        try (IngressUnderTest ingress = new IngressUnderTest(Map.of()); HeapWatch heap = new HeapWatch()) {
            long records = ingress.producedRecords();
            long start = System.nanoTime();
            Flood flood = Flood.send(ingress, REQUESTS, i -> TwilioWebhooks.communicationCreated("SMS",
                    "conv_flood_" + (i % 500), "comms_flood_" + i + "_" + start, TwilioWebhooks.CUSTOMER, "flood " + i));
            heap.stop();
            int ok = flood.count(200);
            System.out.printf("%nBackpressure: %d webhooks at concurrency %d in %.1f s (%.0f/s): %s; heap %s; %d records "
                    + "produced%n", REQUESTS, CONCURRENCY, flood.seconds, REQUESTS / flood.seconds, flood.statuses, heap,
                    ingress.producedRecords() - records);
            assertThat(flood.statuses.keySet()).as("statuses").isSubsetOf(200, 503);
            assertThat(flood.total()).isEqualTo(REQUESTS);
            assertThat(ingress.producedRecords() - records).as("records").isGreaterThanOrEqualTo(ok);
            assertThat(heap.retained()).as("heap retained after the flood").isLessThan(64L << 20);
        }
    }

    /**
     * The broker is stopped: a flood is answered 503 throughout, only {@code cap} webhooks at a time wait for Kafka
     * (the produce timeout) and the rest are shed at once. The broker comes back on the same port with the same data
     * and the same webhooks are retried, as Twilio retries them, until each is acknowledged: every one is then in
     * tac.inbound.v1.
     */
    @Test
    void whileKafkaIsAwayOnlyTheCapWaitsTheRestIsShedAtOnceAndEveryRetriedWebhookLands() throws Exception {
        int cap = 32;
        int produceTimeoutMs = 2_000;
        int requests = LONG ? 10_000 : 2_000;
        Path dir = Files.createTempDirectory("backpressure-kafka");
        EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0);
        int kafkaPort = kafka.port();
        KafkaSettings settings = KafkaSettings.fromEnv(Map.of(KafkaSettings.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                "SWITCHBOARD_TOPIC_PARTITIONS", "2"));
        try (Admin admin = new KafkaClients(settings).admin("backpressure-provisioner")) {
            new TopicProvisioner(admin, settings, 30_000).provision();
        }
        long run = System.nanoTime();
        IntFunction<String> webhook = i -> TwilioWebhooks.communicationCreated("SMS", "conv_outage_" + (i % 200),
                "comms_outage_" + i + "_" + run, TwilioWebhooks.CUSTOMER, "outage " + i);
        try (IngressUnderTest ingress = new IngressUnderTest(kafka.bootstrapServers(), Map.of(
                "SWITCHBOARD_TOPIC_PARTITIONS", "2",
                "INGRESS_MAX_IN_FLIGHT", Integer.toString(cap),
                "INGRESS_PRODUCE_TIMEOUT_MS", Integer.toString(produceTimeoutMs)))) {
            // Warm: metadata known, as in a running service.
            assertThat(Flood.send(ingress, 20, webhook).count(200)).isEqualTo(20);
            kafka.close();

            Flood outage;
            try (HeapWatch heap = new HeapWatch()) {
                outage = Flood.send(ingress, requests, webhook);
                heap.stop();
                double shed = ingress.meters.get("switchboard.ingress.webhooks.shed").counter().count();
                System.out.printf("%nBackpressure, Kafka away: %d webhooks at concurrency %d in %.1f s: %s; %.0f shed at "
                        + "once (cap %d), median answer %d ms shed / %d ms after waiting for Kafka; heap %s%n", requests,
                        CONCURRENCY, outage.seconds, outage.statuses, shed, cap, outage.medianMs(true),
                        outage.medianMs(false), heap);
                assertThat(outage.statuses.keySet()).as("statuses while Kafka is away").containsOnly(503);
                assertThat(outage.total()).isEqualTo(requests);
                // Each webhook that waited held one of the cap's slots for the produce timeout.
                long waited = requests - (long) shed;
                assertThat(waited).as("webhooks that waited for Kafka")
                        .isLessThanOrEqualTo((long) cap * ((long) (outage.seconds * 1000 / produceTimeoutMs) + 2));
                assertThat(heap.retained()).as("heap retained after the flood").isLessThan(64L << 20);
            }

            kafka = EmbeddedKafka.start(dir, kafkaPort);
            // Twilio retries every webhook it got no 2xx for; the cap still applies while the producer catches up.
            Flood retried = Flood.sendUntilAcknowledged(ingress, requests, webhook, Duration.ofSeconds(90));
            System.out.printf("Backpressure, Kafka back: %d webhooks retried until acknowledged in %.1f s, %d attempts%n",
                    requests, retried.seconds, retried.total());
            assertThat(retried.count(200)).isEqualTo(requests);
            Set<String> logged = eventIds(settings);
            List<String> lost = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                if (!logged.contains("comms_outage_" + i + "_" + run)) {
                    lost.add("comms_outage_" + i);
                }
            }
            assertThat(lost).as("acknowledged webhooks missing from tac.inbound.v1").isEmpty();
        } finally {
            kafka.close();
        }
    }

    private static Set<String> eventIds(KafkaSettings settings) {
        Set<String> ids = new HashSet<>();
        try (KafkaConsumer<String, InboundEvent> consumer =
                new KafkaClients(settings).consumer(null, "backpressure-reader", Topic.INBOUND)) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topic.INBOUND.topicName()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.currentTimeMillis() + 30_000;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, InboundEvent> record : consumer.poll(Duration.ofMillis(200))) {
                    ids.add(record.value().getEventId());
                }
            }
        }
        return ids;
    }

    /** Signed webhooks sent {@link #CONCURRENCY} at a time; statuses and answer times. */
    static final class Flood {
        static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        /** Answer times of 503s: shed at once ("Busy") or after waiting for Kafka. */
        final ConcurrentLinkedQueue<Long> shedMs = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Long> waitedMs = new ConcurrentLinkedQueue<>();
        double seconds;

        static Flood send(IngressUnderTest ingress, int requests, IntFunction<String> body) throws Exception {
            Flood flood = new Flood();
            Semaphore inFlight = new Semaphore(CONCURRENCY);
            List<CompletableFuture<?>> all = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                inFlight.acquire();
                all.add(flood.post(ingress, body.apply(i)).whenComplete((status, e) -> inFlight.release()));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            flood.seconds = (System.nanoTime() - start) / 1e9;
            return flood;
        }

        /** Each webhook is posted again (after Retry-After's second, shortened) until it gets 200, as Twilio does. */
        static Flood sendUntilAcknowledged(IngressUnderTest ingress, int requests, IntFunction<String> body,
                Duration atMost) throws Exception {
            Flood flood = new Flood();
            Semaphore inFlight = new Semaphore(CONCURRENCY);
            List<CompletableFuture<?>> all = new ArrayList<>();
            long start = System.nanoTime();
            long deadline = start + atMost.toNanos();
            for (int i = 0; i < requests; i++) {
                inFlight.acquire();
                String b = body.apply(i);
                all.add(flood.retry(ingress, b, deadline).whenComplete((status, e) -> inFlight.release()));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(atMost.toSeconds() + 30, TimeUnit.SECONDS);
            flood.seconds = (System.nanoTime() - start) / 1e9;
            return flood;
        }

        private CompletableFuture<Integer> retry(IngressUnderTest ingress, String body, long deadline) {
            return post(ingress, body).thenCompose(status -> status == 200 || System.nanoTime() > deadline
                    ? CompletableFuture.completedFuture(status)
                    : CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS))
                            .thenCompose(v -> retry(ingress, body, deadline)));
        }

        private CompletableFuture<Integer> post(IngressUnderTest ingress, String body) {
            String path = TwilioSignatures.withBodyHash("/webhook", body);
            HttpRequest request = HttpRequest.newBuilder(URI.create(ingress.base() + path))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .header("X-Twilio-Signature", TwilioSignatures.signJson(IngressUnderTest.TOKEN, ingress.base() + path))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            long sent = System.nanoTime();
            return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((r, e) -> {
                int status = e == null ? r.statusCode() : -1;
                statuses.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
                if (status == 503) {
                    (r.body().startsWith("Busy") ? shedMs : waitedMs).add((System.nanoTime() - sent) / 1_000_000);
                }
                return status;
            });
        }

        int count(int status) {
            return statuses.getOrDefault(status, new AtomicInteger()).get();
        }

        int total() {
            return statuses.values().stream().mapToInt(AtomicInteger::get).sum();
        }

        long medianMs(boolean shed) {
            List<Long> times = new ArrayList<>(shed ? shedMs : waitedMs);
            if (times.isEmpty()) {
                return -1;
            }
            times.sort(null);
            return times.get(times.size() / 2);
        }
    }

    /** Heap in use before (after a GC), at its sampled peak, and after a GC once stopped. */
    static final class HeapWatch implements AutoCloseable {
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        final long before;
        final AtomicLong peak;
        final Thread sampler;
        long after = -1;

        HeapWatch() {
            System.gc();
            before = memory.getHeapMemoryUsage().getUsed();
            peak = new AtomicLong(before);
            sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-sampler");
            sampler.start();
        }

        void stop() throws InterruptedException {
            sampler.interrupt();
            sampler.join();
            System.gc();
            after = memory.getHeapMemoryUsage().getUsed();
        }

        long retained() {
            return after - before;
        }

        @Override
        public String toString() {
            return String.format("%d MB before, %d MB peak, %d MB after GC", before >> 20, peak.get() >> 20, after >> 20);
        }

        @Override
        public void close() throws InterruptedException {
            if (after < 0) {
                stop();
            }
        }
    }
}
