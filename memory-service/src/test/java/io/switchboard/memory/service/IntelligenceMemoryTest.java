package io.switchboard.memory.service;

import static io.switchboard.memory.service.IntelligenceEvents.OBSERVATIONS;
import static io.switchboard.memory.service.IntelligenceEvents.OBSERVED;
import static io.switchboard.memory.service.IntelligenceEvents.STORE;
import static io.switchboard.memory.service.IntelligenceEvents.SUMMARIES;
import static io.switchboard.memory.service.IntelligenceEvents.SUMMARISED;
import static io.switchboard.memory.service.IntelligenceEvents.event;
import static io.switchboard.memory.service.IntelligenceEvents.id;
import static io.switchboard.memory.service.IntelligenceEvents.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.events.IntelligenceEvent;
import io.switchboard.events.Memory;
import io.switchboard.events.Observation;
import io.switchboard.events.Summary;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.localtwilio.FakeTwilioApi.Recorded;
import io.switchboard.memory.MemoryClient;
import io.switchboard.memory.MemoryQuery;
import io.switchboard.testkit.InternalTokens;
import io.switchboard.testkit.TestKafka;
import io.switchboard.topics.Topic;
import io.switchboard.twilio.TwilioSettings;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conversation Intelligence results from tac.ci.v1 written to memory as TAC does: into the local memory (a later
 * retrieval returns them) and to Twilio Conversation Memory (the fake API receives TAC's requests).
 */
class IntelligenceMemoryTest {
    static Vertx vertx;
    static KafkaProducer<String, IntelligenceEvent> producer;
    static MemoryService local;
    static MemoryClient localClient;
    static FakeTwilioApi twilio;
    static MemoryService remote;
    static SimpleMeterRegistry remoteMeters = new SimpleMeterRegistry();

    @BeforeAll
    static void start(@TempDir Path stateDir) throws Exception {
        vertx = Vertx.vertx();
        producer = TestKafka.clients().producer("ci-test", IntelligenceEvent.class);
        Map<String, String> operators = Map.of(MemoryConfig.OBSERVATION_OPERATOR_SID, OBSERVATIONS,
                MemoryConfig.SUMMARY_OPERATOR_SID, SUMMARIES, MemoryConfig.PORT, "0");

        Map<String, String> localEnv = new HashMap<>(operators);
        localEnv.put(MemoryConfig.APPLICATION_ID, "memory-ci-" + UUID.randomUUID());
        localEnv.put(MemoryConfig.STATE_DIR, stateDir.toString());
        local = new MemoryService(MemoryConfig.fromEnv(TestKafka.env(InternalTokens.with(localEnv))), vertx, new SimpleMeterRegistry());
        local.start();
        localClient = new MemoryClient(URI.create("http://localhost:" + local.port()), Duration.ofSeconds(5), InternalTokens.TOKEN);

        twilio = FakeTwilioApi.start(vertx);
        Map<String, String> remoteEnv = new HashMap<>(operators);
        remoteEnv.put(MemoryConfig.APPLICATION_ID, "memory-ci-twilio-" + UUID.randomUUID());
        remoteEnv.put(TwilioSettings.API_KEY, "SKci");
        remoteEnv.put(TwilioSettings.API_SECRET, "ci-secret");
        remoteEnv.put(TwilioSettings.MEMORY_STORE_ID, STORE);
        remoteEnv.put(TwilioSettings.API_BASE_URL, twilio.baseUrl());
        remote = new MemoryService(MemoryConfig.fromEnv(TestKafka.env(InternalTokens.with(remoteEnv))), vertx, remoteMeters);
        remote.start();
        assertThat(remote.provider()).isEqualTo("twilio");
        assertThat(remote.awaitIntelligenceAssignment(Duration.ofSeconds(30))).isTrue();
    }

    @AfterAll
    static void stop() {
        remote.close();
        local.close();
        twilio.close();
        producer.close();
        vertx.close();
    }

    static void send(IntelligenceEvent event) throws Exception {
        producer.send(new ProducerRecord<>(Topic.INTELLIGENCE.topicName(), event.getConversationId(), event)).get();
    }

    @Test
    void theLocalMemoryReturnsObservationsAndSummariesOfTheCustomerOnce() throws Exception {
        String profile = id("mem_profile_");
        String conversationId = id("conv_conversation_");
        IntelligenceEvent event = event(conversationId,
                result(id("intelligence_operatorresult_"), OBSERVATIONS, OBSERVED, profile),
                result(id("intelligence_operatorresult_"), SUMMARIES, SUMMARISED, profile),
                result(id("intelligence_operatorresult_"), "LY_some_other_operator", "{\"payload\":\"ignored\"}", profile));
        send(event);
        send(event); // Twilio's retry of the same webhook, or a redelivery

        MemoryQuery query = MemoryQuery.of(conversationId, profile, null, null, "");
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Memory m = localClient.retrieve(query).join();
            return m.getObservations().size() == 2 && m.getSummaries().size() == 1;
        });
        Memory memory = localClient.retrieve(query).join();
        assertThat(memory.getObservations()).extracting(Observation::getContent)
                .containsExactlyInAnyOrder("Prefers a call after 5pm", "Has two dogs");
        assertThat(memory.getObservations().get(0).getCreatedAtMillis())
                .isEqualTo(Instant.parse("2026-11-24T10:20:00Z").toEpochMilli());
        assertThat(memory.getSummaries()).extracting(Summary::getContent).containsExactly("Asked to move the delivery to Friday.");
        // the agent's profile got nothing: only CUSTOMER participants are written for
        Memory agent = localClient.retrieve(MemoryQuery.of(conversationId, "mem_profile_agent", null, null, "")).join();
        assertThat(agent.getObservations()).extracting(Observation::getContent).doesNotContain("Has two dogs");
    }

    @Test
    void aResultUnderTheProfileReachesTheCustomerWhoTextsAgainFromTheirPhone() throws Exception {
        String profile = id("mem_profile_");
        String phone = "+1415" + (1_000_000 + (long) (Math.random() * 8_999_999));
        String call = "CA" + UUID.randomUUID().toString().replace("-", "");
        try (Events events = new Events()) {
            // the call names the caller's profile: the local memory learns that this phone is that profile
            events.callStarted(call, phone, Map.of("profileId", profile));
            send(event(call, result(id("intelligence_operatorresult_"), OBSERVATIONS, OBSERVED, profile)));
            // days later an SMS from the same phone: messaging webhooks carry no profile id
            String sms = id("conv_conversation_");
            events.message(sms, io.switchboard.events.Channel.SMS, phone, "Can you call me about the delivery?");

            MemoryQuery byPhone = MemoryQuery.of(sms, null, phone, io.switchboard.events.Channel.SMS, "");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    localClient.retrieve(byPhone).join().getObservations()).extracting(Observation::getContent)
                    .containsExactlyInAnyOrder("Prefers a call after 5pm", "Has two dogs"));
            // and the profile finds what its phone said
            MemoryQuery byProfile = new MemoryQuery(null, profile, null, null, "", 20, 5, 20, null);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    localClient.retrieve(byProfile).join().getCommunications())
                    .extracting(io.switchboard.events.PastCommunication::getText)
                    .contains("Can you call me about the delivery?"));
        }
        // another customer sees none of it
        Memory stranger = localClient.retrieve(MemoryQuery.of(null, null, "+14155550000",
                io.switchboard.events.Channel.SMS, "")).join();
        assertThat(stranger.getObservations()).extracting(Observation::getContent).doesNotContain("Has two dogs");
    }

    @Test
    void theTwilioProviderPostsTacsObservationAndSummaryRequests() throws Exception {
        String profile = id("mem_profile_");
        String conversationId = id("conv_conversation_");
        IntelligenceEvent event = event(conversationId,
                result(id("intelligence_operatorresult_"), OBSERVATIONS, OBSERVED, profile),
                result(id("intelligence_operatorresult_"), SUMMARIES,
                        "{\"payload\":{\"summaries\":[{\"summary\":\"Moved the delivery.\"},{\"summary\":\"Happy.\"}]}}", profile));
        send(event);
        send(event); // a duplicate writes nothing more

        String base = "/v1/Stores/" + STORE + "/Profiles/" + profile;
        List<Recorded> observations = twilio.awaitRequests(r -> r.path().equals(base + "/Observations"), 2, Duration.ofSeconds(30));
        List<Recorded> summaries = twilio.awaitRequests(r -> r.path().equals(base + "/ConversationSummaries"), 1, Duration.ofSeconds(30));
        assertThat(observations).extracting(r -> r.json().get("content").asText())
                .containsExactly("Prefers a call after 5pm", "Has two dogs");
        ObjectNode first = observations.get(0).json();
        assertThat(first.get("source").asText()).isEqualTo("conversation-intelligence");
        assertThat(first.get("conversationIds").get(0).asText()).isEqualTo(conversationId);
        assertThat(first.get("occurredAt").asText()).isEqualTo("2026-11-24T10:20:00Z");
        assertThat(observations.get(0).basicAuthUser()).isEqualTo("SKci");
        assertThat(observations.get(0).basicAuthPassword()).isEqualTo("ci-secret");
        var summary = summaries.get(0).json().get("summaries");
        assertThat(summary).hasSize(2);
        assertThat(summary.get(0).get("content").asText()).isEqualTo("Moved the delivery.");
        assertThat(summary.get(0).get("conversationId").asText()).isEqualTo(conversationId);
        assertThat(summary.get(0).get("source").asText()).isEqualTo("conversation-intelligence");
        assertThat(summary.get(0).get("occurredAt").asText()).isEqualTo("2026-11-24T10:20:00Z");

        // a later event of the same conversation is handled after the duplicate: by then no more writes came
        String marker = id("mem_profile_");
        send(event(conversationId, result(id("intelligence_operatorresult_"), OBSERVATIONS, OBSERVED, marker)));
        twilio.awaitRequests(r -> r.path().contains(marker), 2, Duration.ofSeconds(30));
        assertThat(twilio.requests(base + "/")).hasSize(3);
        assertThat(twilio.requests("mem_profile_agent")).isEmpty();
    }

    @Test
    void aRetryableFailureIsRetried() throws Exception {
        String profile = id("mem_profile_");
        twilio.respondNext(profile + "/Observations$", FakeTwilioApi.Reply.serverError());
        send(event(id("conv_conversation_"), result(id("intelligence_operatorresult_"), OBSERVATIONS,
                "{\"payload\":{\"observations\":[{\"content\":\"Speaks Spanish\"}]}}", profile)));
        List<Recorded> attempts = twilio.awaitRequests(r -> r.path().contains(profile), 2, Duration.ofSeconds(30));
        assertThat(attempts).extracting(Recorded::status).containsExactly(500, 201);
    }
}
