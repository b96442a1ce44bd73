package io.switchboard.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.localtwilio.FakeTwilioApi.Recorded;
import io.switchboard.localtwilio.TwilioSignatures;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Steady traffic through one ingress for one fault window: a thread per messaging conversation (SMS or WhatsApp,
 * round robin) posting signed webhooks in order, each retried until ingress acknowledges it with 200 (as Twilio
 * retries anything else) before the next; and ConversationRelay calls prompting alongside ({@link VoiceCalls}).
 * {@link #verify} then waits for the replies at the fake Twilio API and counts what the fault did.
 */
final class FaultTraffic implements AutoCloseable {
    /** Where traffic goes: the fake Twilio API the replies reach, and the ingress it posts to. */
    record Target(FakeTwilioApi twilio, Vertx vertx, int port, String authToken) {
        FaultTraffic start(String fault, List<String> channels, int conversations, Duration pause, int voiceLines) {
            return new FaultTraffic(this, fault, channels, conversations, pause, voiceLines);
        }

        /** Posts one signed message once; its HTTP status, or -1 when ingress could not be reached. */
        int post(String channel, String conversation, String text) throws InterruptedException {
            String author = channel.equals("WHATSAPP") ? "whatsapp:" + TwilioWebhooks.CUSTOMER : TwilioWebhooks.CUSTOMER;
            String body = TwilioWebhooks.communicationCreated(channel, conversation, conversation + "_" + text, author,
                    text);
            String path = TwilioSignatures.withBodyHash("/webhook", body);
            String url = "http://127.0.0.1:" + port + path;
            try {
                return http.send(HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                        .header("X-Twilio-Signature", TwilioSignatures.signJson(authToken, url))
                        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode();
            } catch (IOException e) {
                return -1; // ingress down or restarting
            }
        }
    }

    /** What a fault does to the relay calls, by design. */
    enum VoiceFault {
        /** Calls stay up: every prompt is answered exactly once, in order. */
        CALLS_STAY_UP,
        /** Ingress dies, and its sockets with it: prompts unanswered on them are dropped with the call. */
        CALLS_HUNG_UP,
        /**
         * Kafka unable to take writes for longer than ingress retries a relay event (INGRESS_RELAY_PRODUCE_TIMEOUT_MS)
         * or without a leader: prompts may be lost (measured, not asserted).
         */
        PROMPTS_MAY_BE_LOST
    }

    /** One acknowledged message: its text and when the customer first sent it (retries included in the latency). */
    private record Sent(String text, Instant first) {
    }

    /**
     * A fault window's counts. {@code replyP99}/{@code replyMax}: from a message's first post to its reply reaching
     * Twilio, over every acknowledged message of the window (null when none was answered); {@code silence}: the
     * longest time between two replies of the window (how long replies stopped altogether).
     */
    record Result(int messages, int lost, int duplicates, int disordered, Duration replyP99, Duration replyMax,
                  Duration silence, int refused, VoiceCalls.Counts voice) {

        /** The guarantees: nothing lost beyond {@code allowedLost}, duplicates within the share, order, the calls. */
        void assertHolds(String fault, int allowedLost, double duplicateShare, VoiceFault voiceFault) {
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
    }

    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final Target target;
    private final Map<String, List<Sent>> acknowledged = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    /** Answers other than 200 (503 while Kafka cannot take the event, 5xx, connection refused): Twilio retried them. */
    private final AtomicInteger refused = new AtomicInteger();
    private final VoiceCalls voice;

    private FaultTraffic(Target target, String fault, List<String> channels, int conversations, Duration pause,
                         int voiceLines) {
        this.target = target;
        voice = new VoiceCalls(target.vertx(), target.port(), target.authToken(), voiceLines, Duration.ofMillis(700));
        for (int c = 0; c < conversations; c++) {
            String channel = channels.get(c % channels.size());
            String conversation = "conv_fault_" + fault + "_" + c + "_" + UUID.randomUUID().toString().substring(0, 6);
            List<Sent> sent = Collections.synchronizedList(new ArrayList<>());
            acknowledged.put(conversation, sent);
            Thread thread = new Thread(() -> {
                int i = 0;
                try {
                    while (running.get()) {
                        String text = "m" + i++;
                        Instant first = Instant.now();
                        deliver(channel, conversation, text);
                        sent.add(new Sent(text, first));
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

    /** Posts one signed message until ingress acknowledges it with 200 (Twilio retries anything else). */
    private void deliver(String channel, String conversation, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (target.post(channel, conversation, text) == 200) {
                return;
            }
            refused.incrementAndGet();
            Thread.sleep(200);
        }
        throw new IllegalStateException("webhook never acknowledged: " + conversation + " " + text);
    }

    /** Waits until a message was acknowledged and a prompt spoken (the calls dialled through ingress). */
    void awaitFlowing(Duration timeout) {
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() ->
                acknowledged.values().stream().anyMatch(l -> !l.isEmpty()) && voice.counts().prompts() > 0);
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

    /**
     * Waits for every acknowledged message's reply (at most {@code wait}), then counts lost, duplicated and
     * out-of-order replies, the reply latency and the calls.
     */
    Result verify(Duration wait, VoiceFault voiceFault) throws InterruptedException {
        close();
        Map<String, List<Sent>> expected = new LinkedHashMap<>();
        acknowledged.forEach((k, v) -> expected.put(k, List.copyOf(v)));
        int messages = expected.values().stream().mapToInt(List::size).sum();
        try {
            Awaitility.await().atMost(wait).pollInterval(Duration.ofMillis(500)).until(() -> missing(expected) == 0);
        } catch (ConditionTimeoutException e) {
            // counted below
        }
        int lost = 0;
        int duplicates = 0;
        int disordered = 0;
        List<Duration> latencies = new ArrayList<>();
        List<Instant> answeredAt = new ArrayList<>();
        for (Map.Entry<String, List<Sent>> e : expected.entrySet()) {
            List<Recorded> got = replies(e.getKey());
            List<String> texts = got.stream().map(FaultTraffic::text).toList();
            List<String> want = e.getValue().stream().map(s -> "You said: " + s.text()).toList();
            LinkedHashSet<String> distinct = new LinkedHashSet<>(texts);
            duplicates += texts.size() - distinct.size();
            lost += (int) want.stream().filter(w -> !distinct.contains(w)).count();
            List<String> order = distinct.stream().filter(want::contains).toList();
            if (!order.equals(want.stream().filter(distinct::contains).toList())) {
                disordered++;
            }
            for (Sent s : e.getValue()) {
                got.stream().filter(r -> text(r).equals("You said: " + s.text())).findFirst()
                        .ifPresent(r -> {
                            latencies.add(Duration.between(s.first(), r.at()));
                            answeredAt.add(r.at());
                        });
            }
        }
        latencies.sort(Comparator.naturalOrder());
        Duration p99 = latencies.isEmpty() ? null
                : latencies.get(Math.min(latencies.size() - 1, (int) Math.ceil(latencies.size() * 0.99) - 1));
        Duration max = latencies.isEmpty() ? null : latencies.get(latencies.size() - 1);
        answeredAt.sort(Comparator.naturalOrder());
        Duration silence = Duration.ZERO;
        for (int i = 1; i < answeredAt.size(); i++) {
            Duration gap = Duration.between(answeredAt.get(i - 1), answeredAt.get(i));
            silence = gap.compareTo(silence) > 0 ? gap : silence;
        }
        return new Result(messages, lost, duplicates, disordered, p99, max, silence, refused.get(),
                voiceCounts(voiceFault));
    }

    /** Waits for the answers of the prompts on calls still up, counts, then hangs every call up. */
    private VoiceCalls.Counts voiceCounts(VoiceFault voiceFault) throws InterruptedException {
        try {
            Awaitility.await().atMost(Duration.ofSeconds(voiceFault == VoiceFault.PROMPTS_MAY_BE_LOST ? 20 : 90))
                    .pollInterval(Duration.ofMillis(500)).until(() -> voice.unanswered() == 0);
        } catch (ConditionTimeoutException e) {
            // counted below
        }
        VoiceCalls.Counts c = voice.counts();
        voice.close();
        return c;
    }

    private int missing(Map<String, List<Sent>> expected) {
        int missing = 0;
        for (Map.Entry<String, List<Sent>> e : expected.entrySet()) {
            List<String> got = replies(e.getKey()).stream().map(FaultTraffic::text).toList();
            missing += (int) e.getValue().stream().filter(s -> !got.contains("You said: " + s.text())).count();
        }
        return missing;
    }

    /** The replies Twilio accepted (2xx) for a conversation, in arrival order. */
    private List<Recorded> replies(String conversation) {
        return target.twilio().requests().stream()
                .filter(r -> r.path().contains("/" + conversation + "/") && r.status() / 100 == 2)
                .sorted(Comparator.comparing(Recorded::at)).toList();
    }

    private static String text(Recorded r) {
        return r.json().at("/payload/content/text").asText();
    }
}
