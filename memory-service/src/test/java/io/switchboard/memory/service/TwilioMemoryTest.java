package io.switchboard.memory.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.events.Channel;
import io.switchboard.events.Memory;
import io.switchboard.events.Observation;
import io.switchboard.events.PastCommunication;
import io.switchboard.memory.MemoryClient;
import io.switchboard.memory.MemoryQuery;
import io.switchboard.testkit.InternalTokens;
import io.switchboard.testkit.TestKafka;
import io.switchboard.twilio.TwilioSettings;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Twilio provider against a small stand-in for memory.twilio.com that records what it was asked. */
class TwilioMemoryTest {
    static final String STORE = "mem_store_01abc";
    static final String PROFILE = "mem_profile_01xyz";
    static final String AUTH = "Basic " + Base64.getEncoder().encodeToString("SKtestkey:s3cret".getBytes(StandardCharsets.UTF_8));

    record Seen(String method, String uri, String authorization, JsonObject body) {
    }

    static Vertx vertx;
    static HttpServer twilio;
    static MemoryService service;
    static MemoryClient client;
    static final List<Seen> seen = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        twilio = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            JsonObject json = body.length() == 0 ? null : body.toJsonObject();
            seen.add(new Seen(req.method().name(), req.uri(), req.getHeader("Authorization"), json));
            String path = req.path();
            String base = "/v1/Stores/" + STORE + "/Profiles";
            JsonObject answer;
            if (!AUTH.equals(req.getHeader("Authorization"))) {
                req.response().setStatusCode(401).end("{\"code\":20003}");
                return;
            } else if (path.equals(base + "/Lookup")) {
                answer = new JsonObject().put("normalizedValue", json.getString("value"))
                        .put("profiles", json.getString("value").equals("+14155550100") ? new JsonArray().add(PROFILE) : null);
            } else if (path.equals(base + "/" + PROFILE + "/Recall")) {
                answer = new JsonObject()
                        .put("observations", new JsonArray()
                                .add(new JsonObject().put("id", "mem_observation_1").put("content", "Prefers email")
                                        .put("source", "ci").put("createdAt", "2025-01-15T10:30:45Z").put("updatedAt", "2025-01-15T10:30:45Z"))
                                .add(new JsonObject().put("id", "broken")))
                        .put("summaries", new JsonArray().add(new JsonObject().put("id", "mem_summary_1")
                                .put("content", "Asked about billing").put("createdAt", "2025-01-16T08:00:00Z")))
                        .put("communications", new JsonArray().add(new JsonObject().put("id", "conv_communication_1")
                                .put("author", new JsonObject().put("id", "p1").put("name", "Bot").put("address", "+15550001111")
                                        .put("channel", "SMS").put("type", "AI_AGENT"))
                                .put("content", new JsonObject().put("text", "Your bill is ready"))
                                .put("recipients", new JsonArray()).put("createdAt", "2025-01-16T08:01:00Z")))
                        .put("meta", new JsonObject().put("queryTime", 12));
            } else if (path.equals(base + "/" + PROFILE + "/Observations")) {
                answer = new JsonObject().put("id", "mem_observation_new");
            } else if (path.equals(base + "/" + PROFILE)) {
                answer = new JsonObject().put("id", PROFILE).put("createdAt", "2025-01-01T00:00:00Z")
                        .put("traits", new JsonObject().put("Contact", new JsonObject().put("firstName", "Alyssa")));
            } else {
                req.response().setStatusCode(404).end();
                return;
            }
            req.response().putHeader("Content-Type", "application/json").end(answer.encode());
        })).listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        MemoryConfig config = MemoryConfig.fromEnv(TestKafka.env(InternalTokens.with(Map.of(
                TwilioSettings.API_KEY, "SKtestkey", TwilioSettings.API_SECRET, "s3cret", TwilioSettings.MEMORY_STORE_ID, STORE,
                TwilioSettings.API_BASE_URL, "http://localhost:" + twilio.actualPort(),
                MemoryConfig.PROFILE_TRAIT_GROUPS, "Contact, Preferences",
                MemoryConfig.OBSERVATIONS_LIMIT, "7", MemoryConfig.PORT, "0"))));
        assertThat(config.provider()).isEqualTo(MemoryConfig.Provider.TWILIO);
        service = new MemoryService(config, vertx, new SimpleMeterRegistry());
        service.start();
        client = new MemoryClient(URI.create("http://localhost:" + service.port()), Duration.ofSeconds(5), InternalTokens.TOKEN);
    }

    @AfterAll
    static void stop() {
        service.close();
        vertx.close();
    }

    @BeforeEach
    void forget() {
        seen.clear();
    }

    @Test
    void anAddressIsResolvedToItsProfileAndRecalledWithTheLimits() {
        Memory memory = client.retrieve(new MemoryQuery("conv_conversation_1", null, "whatsapp:+14155550100",
                Channel.WHATSAPP, "billing question", null, 2, 10, 0.4)).join();

        assertThat(seen).extracting(Seen::method, Seen::uri, Seen::authorization).containsExactly(
                org.assertj.core.groups.Tuple.tuple("POST", "/v1/Stores/" + STORE + "/Profiles/Lookup", AUTH),
                org.assertj.core.groups.Tuple.tuple("POST", "/v1/Stores/" + STORE + "/Profiles/" + PROFILE + "/Recall", AUTH));
        assertThat(seen.get(0).body()).isEqualTo(new JsonObject().put("idType", "phone").put("value", "+14155550100"));
        assertThat(seen.get(1).body()).isEqualTo(new JsonObject().put("observationsLimit", 7).put("summariesLimit", 2)
                .put("communicationsLimit", 10).put("relevanceThreshold", 0.4)
                .put("conversationId", "conv_conversation_1").put("query", "billing question"));

        assertThat(memory.getObservations()).extracting(Observation::getContent).containsExactly("Prefers email");
        assertThat(memory.getObservations().get(0).getCreatedAtMillis()).isEqualTo(1736937045000L);
        assertThat(memory.getSummaries()).hasSize(1);
        assertThat(memory.getCommunications()).extracting(PastCommunication::getText, PastCommunication::getFromAgent,
                PastCommunication::getChannel).containsExactly(org.assertj.core.groups.Tuple.tuple("Your bill is ready", true, Channel.SMS));
    }

    @Test
    void aKnownProfileIsRecalledWithoutLookupAndAnEmptyQueryIsLeftOut() {
        client.retrieve(MemoryQuery.of(null, PROFILE, null, Channel.SMS, "")).join();

        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).uri()).isEqualTo("/v1/Stores/" + STORE + "/Profiles/" + PROFILE + "/Recall");
        assertThat(seen.get(0).body().containsKey("query")).isFalse();
        assertThat(seen.get(0).body().getInteger("summariesLimit")).isEqualTo(5);
    }

    @Test
    void aCustomerWithoutProfileHasNoMemory() {
        Memory memory = client.retrieve(MemoryQuery.of(null, null, "+14155559999", Channel.SMS, "hi")).join();

        assertThat(memory.getObservations()).isEmpty();
        assertThat(seen).extracting(Seen::uri).containsExactly("/v1/Stores/" + STORE + "/Profiles/Lookup");
    }

    @Test
    void anObservationIsWrittenToTheProfile() {
        String id = client.addObservation(PROFILE, "Wants a callback tomorrow", "conv_conversation_2").join();

        assertThat(id).isEqualTo("mem_observation_new");
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).uri()).isEqualTo("/v1/Stores/" + STORE + "/Profiles/" + PROFILE + "/Observations");
        assertThat(seen.get(0).body()).isEqualTo(new JsonObject().put("content", "Wants a callback tomorrow")
                .put("source", "switchboard").put("conversationIds", new JsonArray().add("conv_conversation_2")));
    }

    @Test
    void theProfileIsFetchedWithTheConfiguredTraitGroups() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + service.port() + "/memory/profiles/" + PROFILE))
                    .header("Authorization", InternalTokens.TOKEN.authorizationHeader()).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(response.body()).getJsonObject("traits").getJsonObject("Contact").getString("firstName"))
                .isEqualTo("Alyssa");
        assertThat(seen).extracting(Seen::uri)
                .containsExactly("/v1/Stores/" + STORE + "/Profiles/" + PROFILE + "?traitGroups=Contact%2CPreferences");
    }

    @Test
    void aTwilioFailureIsA502NotAnEmptyAnswer() throws Exception {
        MemoryConfig wrongSecret = MemoryConfig.fromEnv(TestKafka.env(InternalTokens.with(Map.of(
                TwilioSettings.API_KEY, "SKtestkey", TwilioSettings.API_SECRET, "wrong", TwilioSettings.MEMORY_STORE_ID, STORE,
                TwilioSettings.API_BASE_URL, "http://localhost:" + twilio.actualPort(), MemoryConfig.PORT, "0"))));
        MemoryService other = new MemoryService(wrongSecret, vertx, new SimpleMeterRegistry());
        other.start();
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://localhost:" + other.port() + "/memory/retrieve"))
                    .header("Authorization", InternalTokens.TOKEN.authorizationHeader())
                    .POST(HttpRequest.BodyPublishers.ofString("{\"profileId\":\"" + PROFILE + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(502);
        } finally {
            other.close();
        }
    }
}
