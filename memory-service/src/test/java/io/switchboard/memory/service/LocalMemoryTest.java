package io.switchboard.memory.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.events.Channel;
import io.switchboard.events.Memory;
import io.switchboard.events.Observation;
import io.switchboard.events.PastCommunication;
import io.switchboard.memory.MemoryClient;
import io.switchboard.memory.MemoryQuery;
import io.switchboard.testkit.FreePorts;
import io.switchboard.testkit.InternalTokens;
import io.switchboard.testkit.TestKafka;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalMemoryTest {
    static Vertx vertx;
    static Events events;
    static MemoryService service;
    static MemoryClient client;
    static SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeAll
    static void start(@TempDir Path stateDir) throws Exception {
        vertx = Vertx.vertx();
        events = new Events();
        service = newService("memory-test-" + UUID.randomUUID(), stateDir);
        client = new MemoryClient(URI.create("http://localhost:" + service.port()), Duration.ofSeconds(5), InternalTokens.TOKEN);
    }

    static MemoryService newService(String applicationId, Path stateDir) throws Exception {
        return newService(applicationId, stateDir, Map.of(MemoryConfig.PORT, "0"));
    }

    static MemoryService newService(String applicationId, Path stateDir, Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>(extra);
        env.put(MemoryConfig.APPLICATION_ID, applicationId);
        env.put(MemoryConfig.STATE_DIR, stateDir.toString());
        MemoryService s = new MemoryService(MemoryConfig.fromEnv(TestKafka.env(InternalTokens.with(env))), vertx, registry);
        s.start();
        return s;
    }

    @AfterAll
    static void stop() {
        service.close();
        events.close();
        vertx.close();
    }

    static String phone() {
        return "+1415" + (1_000_000 + (long) (Math.random() * 8_999_999));
    }

    static Memory recall(MemoryQuery query) {
        return client.retrieve(query).join();
    }

    @Test
    void theMemoryApiAnswersOnlyCallersWithTheInternalToken() throws Exception {
        String phone = phone();
        client.addObservation(phone, "Prefers e-mail", null).join();
        HttpClient http = HttpClient.newHttpClient();
        String query = "{\"address\":\"" + phone + "\"}";
        double refusedBefore = registry.counter("switchboard.memory.unauthorized").count();
        for (String authorization : new String[] {null, "Bearer not-the-token-at-all", "Basic " + InternalTokens.VALUE,
                "Bearer " + InternalTokens.VALUE + "x"}) {
            for (String path : List.of("/memory/retrieve", "/memory/observations")) {
                HttpResponse<String> refused = http.send(request(path, authorization)
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"address\":\"" + phone + "\",\"content\":\"injected\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(refused.statusCode()).as(path + " with " + authorization).isEqualTo(401);
                assertThat(refused.body()).doesNotContain(InternalTokens.VALUE).doesNotContain("Prefers");
            }
            assertThat(http.send(request("/memory/internal/customers/addr:" + phone, authorization).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        }
        assertThat(registry.counter("switchboard.memory.unauthorized").count() - refusedBefore).isEqualTo(12);

        // the observation is read back from Kafka in the memory's next fetch (at most 100 ms later)
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> allowed = http.send(request("/memory/retrieve", "Bearer " + InternalTokens.VALUE)
                    .POST(HttpRequest.BodyPublishers.ofString(query)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(allowed.statusCode()).isEqualTo(200);
            assertThat(allowed.body()).contains("Prefers e-mail").doesNotContain("injected");
        });
    }

    private static HttpRequest.Builder request(String path, String authorization) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + service.port() + path)).header("Content-Type", "application/json");
        return authorization == null ? builder : builder.header("Authorization", authorization);
    }

    @Test
    void aReturningCustomerFindsEarlierHistoryOnAnotherChannel() {
        String phone = phone();
        String sms = "conv_sms_" + UUID.randomUUID();
        events.message(sms, Channel.SMS, phone, "My blender arrived broken");
        events.reply(sms, Channel.SMS, phone, "reply-" + sms, 0, "Sorry to hear that, a replacement is on its way.", true);
        String whatsapp = "conv_wa_" + UUID.randomUUID();
        events.message(whatsapp, Channel.WHATSAPP, "whatsapp:" + phone, "Has the replacement shipped?");
        events.message("conv_other_" + UUID.randomUUID(), Channel.SMS, phone(), "Someone else entirely");
        // the same number calls: voice prompts carry no address, the call's caller does
        String call = "CA" + UUID.randomUUID().toString().replace("-", "");
        events.callStarted(call, phone);
        events.prompt(call, "I am calling about my", false);
        events.prompt(call, "I am calling about my replacement blender", true);
        events.reply(call, Channel.VOICE, phone, "reply-" + call, 0, "Let me ", false);
        events.reply(call, Channel.VOICE, phone, "reply-" + call, 1, "check that.", false);
        events.reply(call, Channel.VOICE, phone, "reply-" + call, 2, "", true);

        MemoryQuery query = new MemoryQuery(call, null, phone, Channel.VOICE, "", 20, 5, 20, null);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                assertThat(recall(query).getCommunications()).hasSize(5));

        List<PastCommunication> history = recall(query).getCommunications();
        assertThat(history).extracting(PastCommunication::getText).containsExactly(
                "Let me check that.",
                "I am calling about my replacement blender",
                "Has the replacement shipped?",
                "Sorry to hear that, a replacement is on its way.",
                "My blender arrived broken");
        assertThat(history).extracting(PastCommunication::getChannel)
                .containsExactly(Channel.VOICE, Channel.VOICE, Channel.WHATSAPP, Channel.SMS, Channel.SMS);
        assertThat(history).extracting(PastCommunication::getFromAgent).containsExactly(true, false, false, true, false);
        // the WhatsApp customer, asking with their prefixed address, finds the same history
        Memory fromWhatsapp = recall(new MemoryQuery(whatsapp, null, "whatsapp:" + phone, Channel.WHATSAPP, "", 20, 5, 20, null));
        assertThat(fromWhatsapp.getCommunications()).hasSize(5);
        assertThat(registry.get("switchboard.memory.retrievals").tag("provider", "local").tag("outcome", "ok")
                .counter().count()).isPositive();
    }

    @Test
    void aKnownProfileFindsHistoryWrittenFromAnotherAddress() {
        String profile = "mem_profile_" + UUID.randomUUID().toString().replace("-", "");
        String conversation = "conv_" + UUID.randomUUID();
        events.message(conversation, Channel.CHAT, "client:web-" + UUID.randomUUID(), profile, "Is my warranty still valid?");
        client.addObservation(profile, "Bought the extended warranty", conversation).join();

        MemoryQuery byProfile = new MemoryQuery(null, profile, phone(), Channel.SMS, "warranty", 10, 0, 10, null);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            Memory m = recall(byProfile);
            assertThat(m.getCommunications()).extracting(PastCommunication::getText)
                    .containsExactly("Is my warranty still valid?");
            assertThat(m.getObservations()).extracting(Observation::getContent).containsExactly("Bought the extended warranty");
        });
    }

    @Test
    void aRelevantObservationRanksAboveIrrelevantOnes() {
        String phone = phone();
        client.addObservation(phone, "Prefers to be contacted by email in the evening", "c1").join();
        client.addObservation(phone, "Asked for a refund of the broken blender bought in March", "c2").join();
        client.addObservation(phone, "Has a golden retriever called Max", "c3").join();
        client.addObservation(phone, "Lives in Lisbon and travels often", "c4").join();
        MemoryQuery all = MemoryQuery.of("c5", null, phone, Channel.SMS, "");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> assertThat(recall(all).getObservations()).hasSize(4));

        Memory ranked = recall(MemoryQuery.of("c5", null, phone, Channel.SMS, "Where is the refund for my blender?"));
        assertThat(ranked.getObservations()).extracting(Observation::getContent).first()
                .isEqualTo("Asked for a refund of the broken blender bought in March");
        assertThat(ranked.getObservations()).hasSize(4); // threshold 0: the rest follow

        Memory emailFirst = recall(MemoryQuery.of("c5", null, phone, Channel.SMS, "email me please"));
        assertThat(emailFirst.getObservations().get(0).getContent()).startsWith("Prefers to be contacted by email");
    }

    @Test
    void limitsAndRelevanceThresholdBoundTheAnswer() {
        String phone = phone();
        String conversation = "conv_" + UUID.randomUUID();
        client.addObservation(phone, "Ordered a red bicycle with a basket", conversation).join();
        client.addObservation(phone, "The bicycle bell was missing from the last order", conversation).join();
        client.addObservation(phone, "Prefers phone calls over text messages", conversation).join();
        events.message(conversation, Channel.SMS, phone, "The bicycle is great, but where is the bell?");
        events.message(conversation, Channel.SMS, phone, "Also, can I change my address?");
        MemoryQuery all = new MemoryQuery(conversation, null, phone, Channel.SMS, "", 10, 0, 10, 0.0);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            Memory m = recall(all);
            assertThat(m.getObservations()).hasSize(3);
            assertThat(m.getCommunications()).hasSize(2);
        });

        Memory newest = recall(new MemoryQuery(conversation, null, phone, Channel.SMS, "", 1, 0, 1, null));
        assertThat(newest.getObservations()).extracting(Observation::getContent)
                .containsExactly("Prefers phone calls over text messages");
        assertThat(newest.getCommunications()).extracting(PastCommunication::getText)
                .containsExactly("Also, can I change my address?");

        Memory relevant = recall(new MemoryQuery(conversation, null, phone, Channel.SMS, "missing bicycle bell", 10, 0, 10, 0.5));
        assertThat(relevant.getObservations()).extracting(Observation::getContent)
                .containsExactly("The bicycle bell was missing from the last order");
        assertThat(relevant.getObservations().get(0).getScore()).isEqualTo(1.0);
        assertThat(relevant.getCommunications()).extracting(PastCommunication::getText)
                .containsExactly("The bicycle is great, but where is the bell?");

        Memory noObservations = recall(new MemoryQuery(conversation, null, phone, Channel.SMS, "bicycle", 0, 0, 10, null));
        assertThat(noObservations.getObservations()).isEmpty();
        assertThat(noObservations.getCommunications()).hasSize(2);
    }

    @Test
    void malformedRequestsGetA400() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String body : List.of("{not json", "[]", "{\"query\":\"no customer\"}",
                "{\"address\":\"+14155550100\",\"observationsLimit\":101}",
                "{\"address\":\"+14155550100\",\"relevanceThreshold\":\"high\"}")) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create("http://localhost:" + service.port() + "/memory/retrieve"))
                    .header("Authorization", InternalTokens.TOKEN.authorizationHeader())
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(body).isEqualTo(400);
        }
        HttpResponse<String> noContent = http.send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + service.port() + "/memory/observations"))
                    .header("Authorization", InternalTokens.TOKEN.authorizationHeader())
                .POST(HttpRequest.BodyPublishers.ofString("{\"address\":\"+14155550100\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(noContent.statusCode()).isEqualTo(400);
    }

    @Test
    void memorySurvivesARestartOnAFreshMachine(@TempDir Path first, @TempDir Path second) throws Exception {
        String applicationId = "memory-restart-" + UUID.randomUUID();
        String phone = phone();
        String conversation = "conv_" + UUID.randomUUID();
        MemoryService one = newService(applicationId, first);
        MemoryClient oneClient = new MemoryClient(URI.create("http://localhost:" + one.port()), Duration.ofSeconds(5), InternalTokens.TOKEN);
        MemoryQuery query = new MemoryQuery(conversation, null, phone, Channel.SMS, "", 10, 0, 10, null);
        try {
            oneClient.addObservation(phone, "Allergic to peanuts", conversation).join();
            events.message(conversation, Channel.SMS, phone, "Do your cookies contain nuts?");
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                Memory m = oneClient.retrieve(query).join();
                assertThat(m.getObservations()).hasSize(1);
                assertThat(m.getCommunications()).hasSize(1);
            });
        } finally {
            one.close();
        }
        // a new instance with an empty state directory restores the stores from their changelogs
        MemoryService two = newService(applicationId, second);
        try {
            MemoryClient twoClient = new MemoryClient(URI.create("http://localhost:" + two.port()), Duration.ofSeconds(5), InternalTokens.TOKEN);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                Memory m = twoClient.retrieve(query).join();
                assertThat(m.getObservations()).extracting(Observation::getContent).containsExactly("Allergic to peanuts");
                assertThat(m.getCommunications()).extracting(PastCommunication::getText)
                        .containsExactly("Do your cookies contain nuts?");
            });
        } finally {
            two.close();
        }
    }

    @Test
    void withTwoInstancesEitherAnswersForEveryCustomer(@TempDir Path first, @TempDir Path second) throws Exception {
        String applicationId = "memory-pair-" + UUID.randomUUID();
        int[] ports = FreePorts.distinct(2);
        int portA = ports[0];
        int portB = ports[1];
        MemoryService a = newService(applicationId, first, Map.of(MemoryConfig.PORT, String.valueOf(portA),
                MemoryConfig.ADVERTISED_URL, "http://127.0.0.1:" + portA));
        MemoryService b = null;
        try {
            b = newService(applicationId, second, Map.of(MemoryConfig.PORT, String.valueOf(portB),
                    MemoryConfig.ADVERTISED_URL, "http://127.0.0.1:" + portB));
            MemoryClient viaA = new MemoryClient(URI.create("http://127.0.0.1:" + portA), Duration.ofSeconds(5), InternalTokens.TOKEN);
            MemoryClient viaB = new MemoryClient(URI.create("http://127.0.0.1:" + portB), Duration.ofSeconds(5), InternalTokens.TOKEN);
            List<String> customers = java.util.stream.IntStream.range(0, 8).mapToObj(i -> phone()).toList();
            for (String customer : customers) {
                viaA.addObservation(customer, "Observation about " + customer, null).join();
            }
            for (String customer : customers) {
                MemoryQuery query = MemoryQuery.of(null, null, customer, Channel.SMS, "");
                for (MemoryClient via : List.of(viaA, viaB)) {
                    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                            assertThat(via.retrieve(query).join().getObservations()).extracting(Observation::getContent)
                                    .containsExactly("Observation about " + customer));
                }
            }
        } finally {
            if (b != null) {
                b.close();
            }
            a.close();
        }
    }

    @Test
    void beforeItsStreamsStartTheLocalMemoryIsNotReadyRatherThanFailing(@TempDir Path stateDir) {
        MemoryConfig config = MemoryConfig.fromEnv(TestKafka.env(InternalTokens.with(Map.of(MemoryConfig.STATE_DIR, stateDir.toString(),
                MemoryConfig.ADVERTISED_URL, "http://localhost:1"))));
        LocalMemory memory = new LocalMemory(config, new io.switchboard.kafka.KafkaClients(config.kafka()), vertx,
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        // The HTTP API is served before start(): a retrieval then is "not ready" (503, retry), not a provider failure.
        assertThat(memory.queries().customer("+14155550100").toCompletionStage().toCompletableFuture())
                .failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                .withCauseInstanceOf(org.apache.kafka.streams.errors.InvalidStateStoreException.class);
        assertThat(memory.queries().localCustomer("+14155550100").toCompletionStage().toCompletableFuture())
                .failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                .withCauseInstanceOf(org.apache.kafka.streams.errors.InvalidStateStoreException.class);
    }
}
