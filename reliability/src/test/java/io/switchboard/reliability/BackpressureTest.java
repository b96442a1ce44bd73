package io.switchboard.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.testkit.TwilioSignatures;
import io.switchboard.testkit.TwilioWebhooks;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A webhook flood (many concurrent signed webhooks, as fast as the client can send) against one in-process ingress:
 * every request is answered 200 or 503 (never dropped, never 5xx otherwise), and the heap stays bounded. Prints
 * throughput and heap.
 */
class BackpressureTest {
    static final int REQUESTS = Boolean.getBoolean("switchboard.reliability.long") ? 20_000 : 3_000;
    static final int CONCURRENCY = 128;

    @Test
    void aFloodIsAnsweredWith200Or503AndTheHeapStaysBounded() throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        try (IngressUnderTest ingress = new IngressUnderTest(Map.of())) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            System.gc();
            long heapBefore = memory.getHeapMemoryUsage().getUsed();
            AtomicLong peak = new AtomicLong(heapBefore);
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.start();
            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            Semaphore inFlight = new Semaphore(CONCURRENCY);
            List<CompletableFuture<?>> all = new ArrayList<>();
            long records = ingress.inboundRecords();
            long start = System.nanoTime();
            for (int i = 0; i < REQUESTS; i++) {
                String body = TwilioWebhooks.communicationCreated("SMS", "conv_flood_" + (i % 500), "comms_flood_" + i + "_" + start,
                        TwilioWebhooks.CUSTOMER, "flood " + i);
                String path = TwilioSignatures.withBodyHash("/webhook", body);
                HttpRequest request = HttpRequest.newBuilder(URI.create(ingress.base() + path))
                        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                        .header("X-Twilio-Signature", TwilioSignatures.signJson(IngressUnderTest.TOKEN, ingress.base() + path))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                inFlight.acquire();
                all.add(http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                        .handle((r, e) -> {
                            inFlight.release();
                            statuses.computeIfAbsent(e == null ? r.statusCode() : -1, k -> new AtomicInteger()).incrementAndGet();
                            return null;
                        }));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - start) / 1e9;
            sampler.interrupt();
            sampler.join();
            System.gc();
            long heapAfter = memory.getHeapMemoryUsage().getUsed();
            int ok = statuses.getOrDefault(200, new AtomicInteger()).get();
            System.out.printf("%nBackpressure: %d webhooks at concurrency %d in %.1f s (%.0f/s): %s; heap %d MB before, "
                    + "%d MB peak, %d MB after GC; %d records produced%n", REQUESTS, CONCURRENCY, seconds, REQUESTS / seconds,
                    statuses, heapBefore >> 20, peak.get() >> 20, heapAfter >> 20, ingress.inboundRecords() - records);
            assertThat(statuses.keySet()).as("statuses").isSubsetOf(200, 503);
            assertThat(statuses.values().stream().mapToInt(AtomicInteger::get).sum()).isEqualTo(REQUESTS);
            assertThat(ingress.inboundRecords() - records).as("records").isGreaterThanOrEqualTo(ok);
            assertThat(heapAfter - heapBefore).as("heap retained after the flood").isLessThan(64L << 20);
        }
    }
}
