package io.switchboard.memory.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.config.InvalidConfigurationException;
import io.switchboard.events.Channel;
import io.switchboard.events.Memory;
import io.switchboard.events.Observation;
import io.switchboard.events.PastCommunication;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.localtwilio.FakeTwilioApi.Recorded;
import io.switchboard.localtwilio.FakeTwilioApi.Reply;
import io.switchboard.memory.MemoryClient;
import io.switchboard.memory.MemoryQuery;
import io.switchboard.testkit.InternalTokens;
import io.switchboard.testkit.LogCapture;
import io.switchboard.twilio.TwilioSettings;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Twilio Conversation Memory configured as TAC configures it: the store comes from the Orchestrator configuration
 * fetched at start, against local-twilio's fake Twilio (which answers Lookup, Recall and Communications as Twilio does).
 */
class OrchestratedMemoryTest {
    static final String KEY = "SK00000000000000000000000000000mem";
    static Vertx vertx;
    static FakeTwilioApi twilio;
    final List<MemoryService> started = new ArrayList<>();

    @BeforeAll
    static void startTwilio() {
        vertx = Vertx.vertx();
        twilio = FakeTwilioApi.start();
    }

    @AfterAll
    static void stopTwilio() {
        twilio.close();
        vertx.close();
    }

    @AfterEach
    void stopServices() {
        started.forEach(MemoryService::close);
        twilio.reset();
    }

    static String id(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "");
    }

    static String phone() {
        return "+1415" + (1_000_000 + (long) (Math.random() * 8_999_999));
    }

    static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092"); // the Twilio provider without CI opens no Kafka client
        env.put(TwilioSettings.API_BASE_URL, twilio.baseUrl());
        env.put(MemoryConfig.PORT, "0");
        env.putAll(InternalTokens.with(Map.of()));
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    MemoryService start(Map<String, String> env) throws Exception {
        MemoryService service = new MemoryService(MemoryConfig.fromEnv(env), vertx, new SimpleMeterRegistry());
        started.add(service);
        service.start();
        return service;
    }

    static MemoryClient client(MemoryService service) {
        return new MemoryClient(URI.create("http://localhost:" + service.port()), Duration.ofSeconds(10), InternalTokens.TOKEN);
    }

    @Test
    void theStoreOfTheOrchestratorConfigurationIsFetchedAtStartAndUsedInMemoryCalls() throws Exception {
        String configuration = id("conv_configuration_");
        String store = id("mem_store_");
        String profile = id("mem_profile_");
        String phone = phone();
        twilio.addConfiguration(configuration, store);
        twilio.addMemoryProfile(store, profile, phone);
        twilio.addMemoryObservation(store, profile, "Prefers a call back after 5 pm");

        try (LogCapture log = LogCapture.install()) {
            MemoryService service = start(env(TwilioSettings.CONVERSATION_CONFIGURATION_ID, configuration,
                    TwilioSettings.API_KEY, KEY, TwilioSettings.API_SECRET, "secret"));
            assertThat(service.provider()).isEqualTo("twilio");
            assertThat(log.containing("Memory service started")).singleElement().asString()
                    .contains("twilio", TwilioSettings.CONVERSATION_CONFIGURATION_ID + " is set", store,
                            "memoryStoreId of configuration " + configuration);

            Memory memory = client(service).retrieve(MemoryQuery.of(id("conv_conversation_"), null, "whatsapp:" + phone,
                    Channel.WHATSAPP, "when to call")).join();

            assertThat(memory.getObservations()).extracting(Observation::getContent)
                    .containsExactly("Prefers a call back after 5 pm");
        }
        List<Recorded> calls = twilio.requests();
        assertThat(calls).extracting(Recorded::method, Recorded::path).containsExactly(
                org.assertj.core.groups.Tuple.tuple("GET", "/v2/ControlPlane/Configurations/" + configuration),
                org.assertj.core.groups.Tuple.tuple("POST", "/v1/Stores/" + store + "/Profiles/Lookup"),
                org.assertj.core.groups.Tuple.tuple("POST", "/v1/Stores/" + store + "/Profiles/" + profile + "/Recall"));
        assertThat(calls).allSatisfy(call -> {
            assertThat(call.basicAuthUser()).isEqualTo(KEY);
            assertThat(call.basicAuthPassword()).isEqualTo("secret");
        });
    }

    @Test
    void theStoreIdSettingOverridesTheConfiguration() throws Exception {
        String configuration = id("conv_configuration_");
        String override = id("mem_store_");
        String profile = id("mem_profile_");
        twilio.addConfiguration(configuration, id("mem_store_"));
        twilio.addMemoryProfile(override, profile, "+14155550123");

        MemoryService service = start(env(TwilioSettings.CONVERSATION_CONFIGURATION_ID, configuration,
                TwilioSettings.MEMORY_STORE_ID, override, TwilioSettings.API_KEY, KEY, TwilioSettings.API_SECRET, "secret"));
        client(service).retrieve(MemoryQuery.of(null, profile, null, Channel.SMS, "")).join();

        assertThat(twilio.requests()).extracting(Recorded::path)
                .containsExactly("/v1/Stores/" + override + "/Profiles/" + profile + "/Recall");
    }

    @Test
    void aConfigurationTwilioDoesNotKnowStopsTheStartNamingIt() {
        String configuration = id("conv_configuration_");

        assertThatThrownBy(() -> start(env(TwilioSettings.CONVERSATION_CONFIGURATION_ID, configuration,
                TwilioSettings.API_KEY, KEY, TwilioSettings.API_SECRET, "secret")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining(configuration).hasMessageContaining("HTTP 404")
                .hasMessageContaining(TwilioSettings.CONVERSATION_CONFIGURATION_ID);
    }

    @Test
    void aConfigurationWithoutMemoryStoreStopsTheStartNamingWhatIsMissing() {
        String configuration = id("conv_configuration_");
        twilio.addConfiguration(configuration, null);

        assertThatThrownBy(() -> start(env(TwilioSettings.CONVERSATION_CONFIGURATION_ID, configuration,
                TwilioSettings.API_KEY, KEY, TwilioSettings.API_SECRET, "secret")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("has no memoryStoreId").hasMessageContaining(TwilioSettings.MEMORY_STORE_ID);
    }

    @Test
    void aConfigurationWithoutApiKeyStopsTheStartInsteadOfFallingBackToLocalMemory() {
        assertThatThrownBy(() -> MemoryConfig.fromEnv(env(TwilioSettings.CONVERSATION_CONFIGURATION_ID,
                id("conv_configuration_"))))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining(TwilioSettings.API_KEY).hasMessageContaining(TwilioSettings.CONVERSATION_CONFIGURATION_ID);
        assertThatThrownBy(() -> MemoryConfig.fromEnv(env(TwilioSettings.MEMORY_STORE_ID, id("mem_store_"),
                TwilioSettings.API_KEY, KEY)))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining(TwilioSettings.API_SECRET);
        assertThat(twilio.requests()).isEmpty();
    }

    @Test
    void whenRecallFailsTheConversationsCommunicationsAnswer() throws Exception {
        String configuration = id("conv_configuration_");
        String store = id("mem_store_");
        String profile = id("mem_profile_");
        String phone = phone();
        String conversation = id("conv_conversation_");
        twilio.addConfiguration(configuration, store);
        twilio.addMemoryProfile(store, profile, phone);
        twilio.addCommunication(conversation, phone, "SMS", "conv_participant_customer", "My order 1234 is late");
        twilio.addCommunication(conversation, "+15550001111", "SMS", "conv_participant_agent", "Let me check order 1234.");
        MemoryService service = start(env(TwilioSettings.CONVERSATION_CONFIGURATION_ID, configuration,
                TwilioSettings.API_KEY, KEY, TwilioSettings.API_SECRET, "secret"));
        twilio.reset();
        twilio.respondAlways("/Recall$", Reply.serverError());

        Memory memory = client(service).retrieve(MemoryQuery.of(conversation, null, phone, Channel.SMS, "late order")).join();

        assertThat(memory.getObservations()).isEmpty();
        assertThat(memory.getCommunications()).extracting(PastCommunication::getText, PastCommunication::getFromAgent,
                PastCommunication::getConversationId).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("My order 1234 is late", false, conversation),
                org.assertj.core.groups.Tuple.tuple("Let me check order 1234.", true, conversation));
        assertThat(twilio.requests()).extracting(Recorded::method, Recorded::path).containsSubsequence(
                org.assertj.core.groups.Tuple.tuple("POST", "/v1/Stores/" + store + "/Profiles/" + profile + "/Recall"),
                org.assertj.core.groups.Tuple.tuple("GET", "/v2/Conversations/" + conversation + "/Communications"));
    }

    @Test
    void whenRecallDoesNotKnowTheProfileParticipantTypesTellTheAgentApartInTheFallback() throws Exception {
        String configuration = id("conv_configuration_");
        String conversation = id("conv_conversation_");
        twilio.addConfiguration(configuration, id("mem_store_"));
        String customer = twilio.addParticipant(conversation, "CUSTOMER", "WHATSAPP", "whatsapp:+14155550188");
        String agent = twilio.addParticipant(conversation, "AI_AGENT", "WHATSAPP", "whatsapp:+15550001111");
        twilio.addCommunication(conversation, "whatsapp:+14155550188", "WHATSAPP", customer, "Hi, it is Dana");
        twilio.addCommunication(conversation, "whatsapp:+15550001111", "WHATSAPP", agent, "Hello Dana!");
        MemoryService service = start(env(TwilioSettings.CONVERSATION_CONFIGURATION_ID, configuration,
                TwilioSettings.API_KEY, KEY, TwilioSettings.API_SECRET, "secret"));
        // the profile is unknown to the store: Recall answers 404
        Memory memory = client(service).retrieve(MemoryQuery.of(conversation, id("mem_profile_"), null,
                Channel.WHATSAPP, "")).join();

        assertThat(memory.getCommunications()).extracting(PastCommunication::getText, PastCommunication::getFromAgent)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("Hi, it is Dana", false),
                        org.assertj.core.groups.Tuple.tuple("Hello Dana!", true));
    }

    @Test
    void withoutAConversationThereIsNothingToFallBackToAndTheFailureIsReported() throws Exception {
        String configuration = id("conv_configuration_");
        String store = id("mem_store_");
        twilio.addConfiguration(configuration, store);
        MemoryService service = start(env(TwilioSettings.CONVERSATION_CONFIGURATION_ID, configuration,
                TwilioSettings.API_KEY, KEY, TwilioSettings.API_SECRET, "secret"));
        twilio.respondAlways("/Profiles/Lookup$", Reply.serverError());

        assertThatThrownBy(() -> client(service).retrieve(MemoryQuery.of(null, null, phone(), Channel.SMS, "")).join())
                .isInstanceOf(CompletionException.class).hasMessageContaining("502");
    }

    /**
     * What a Lookup + Recall through the memory service takes when Twilio answers as slowly as a real round trip
     * ({@link FakeTwilioApi#simulateMemoryLatency}); the router's {@code SWITCHBOARD_MEMORY_TIMEOUT_MS} default (5 s) is
     * chosen from it. The old 1 s could not fit even one retrieval.
     */
    @Test
    void aLookupAndRecallAtTwilioLatencyFitTheRoutersMemoryTimeout() throws Exception {
        String configuration = id("conv_configuration_");
        String store = id("mem_store_");
        String profile = id("mem_profile_");
        String phone = phone();
        twilio.addConfiguration(configuration, store);
        twilio.addMemoryProfile(store, profile, phone);
        twilio.addMemoryObservation(store, profile, "Has a dog called Biscuit");
        MemoryService service = start(env(TwilioSettings.CONVERSATION_CONFIGURATION_ID, configuration,
                TwilioSettings.API_KEY, KEY, TwilioSettings.API_SECRET, "secret"));
        twilio.simulateMemoryLatency();
        MemoryClient client = client(service);
        client.retrieve(MemoryQuery.of(null, null, phone, Channel.SMS, "warm-up")).join();

        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            long started = System.nanoTime();
            Memory memory = client.retrieve(MemoryQuery.of(id("conv_conversation_"), null, phone, Channel.SMS, "pets")).join();
            millis.add((System.nanoTime() - started) / 1_000_000);
            assertThat(memory.getObservations()).hasSize(1);
        }
        millis.sort(null);
        long twilioTime = FakeTwilioApi.MEMORY_LOOKUP_LATENCY.plus(FakeTwilioApi.MEMORY_RECALL_LATENCY).toMillis();
        System.out.printf("Lookup+Recall through memory-service at Twilio latency (%d ms at Twilio): min %d ms, "
                + "median %d ms, max %d ms%n", twilioTime, millis.get(0), millis.get(millis.size() / 2), millis.get(millis.size() - 1));
        assertThat(millis.get(0)).isGreaterThanOrEqualTo(twilioTime); // 1 s would cut it close on every message
        assertThat(millis.get(millis.size() - 1)).isLessThan(Duration.ofSeconds(5).toMillis() / 2);
    }
}
