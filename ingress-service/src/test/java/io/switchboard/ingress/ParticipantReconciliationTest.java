package io.switchboard.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.events.InboundEvent;
import io.switchboard.events.inbound.MessageReceived;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.localtwilio.FakeTwilioApi.Recorded;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.testkit.TopicTail;
import io.switchboard.topics.Topic;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Orchestrated mode: participants reconciled as TAC does before a message is published, and the agent side's own
 * messages recognised by the author participant's type; against the fake Twilio API, through the real broker.
 */
class ParticipantReconciliationTest {
    private static final String CONFIGURATION = "conv_configuration_reconcile";
    private static final String STORE = "mem_store_reconcile";
    private static final String POOL_NUMBER = "+15550001111";
    static Vertx vertx;
    static FakeTwilioApi twilio;
    static IngressFixture ingress;
    static TopicTail<InboundEvent> inbound;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        twilio = FakeTwilioApi.start();
        twilio.addConfiguration(CONFIGURATION, STORE);
        inbound = new TopicTail<>(Topic.INBOUND);
        ingress = new IngressFixture(vertx, 0, Map.of("TWILIO_CONVERSATION_CONFIGURATION_ID", CONFIGURATION,
                "TWILIO_API_BASE_URL", twilio.baseUrl(), "TWILIO_API_KEY", "SKreconcile", "TWILIO_API_SECRET", "secret"));
    }

    @AfterAll
    static void stop() throws Exception {
        ingress.close();
        inbound.close();
        twilio.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    static String id(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "");
    }

    @Test
    void unknownParticipantsArePromotedAndTheCustomerGetsACreatedProfileBeforeTheMessageIsPublished() {
        String conversation = id("conv_conversation_");
        String customer = twilio.addParticipant(conversation, "UNKNOWN", "SMS", TwilioWebhooks.CUSTOMER);
        String agent = twilio.addParticipant(conversation, "UNKNOWN", "SMS", TwilioWebhooks.AGENT_NUMBER);
        String communication = id("comms_communication_");
        assertThat(ingress.twilio.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation,
                communication, TwilioWebhooks.CUSTOMER, customer, TwilioWebhooks.AGENT_NUMBER, "Hi")).status())
                .isEqualTo(200);

        MessageReceived message = (MessageReceived) inbound.awaitValues(conversation, 1).get(0).getPayload();
        String profile = twilio.profiles(STORE).stream()
                .filter(p -> TwilioWebhooks.CUSTOMER.equals(p.at("/traits/Contact/phone").asText()))
                .map(p -> p.path("id").asText()).findFirst().orElseThrow();
        assertThat(message.getProfileId()).isEqualTo(profile);
        assertThat(message.getAuthorParticipantId()).isEqualTo(customer);
        assertThat(message.getRecipientParticipantId()).isEqualTo(agent);
        assertThat(twilio.participants(conversation)).extracting(p -> p.path("id").asText() + "=" + p.path("type").asText())
                .containsExactlyInAnyOrder(customer + "=CUSTOMER", agent + "=AI_AGENT");
        assertThat(twilio.participants(conversation)).filteredOn(p -> p.path("id").asText().equals(customer))
                .singleElement().satisfies(p -> {
                    assertThat(p.path("profileId").asText()).isEqualTo(profile);
                    assertThat(p.at("/addresses/0/address").asText()).as("PUT keeps the addresses").isEqualTo(TwilioWebhooks.CUSTOMER);
                });
        List<Recorded> memory = twilio.requests("^/v1/Stores/" + STORE + "/Profiles");
        assertThat(memory).extracting(r -> r.method() + " " + r.path()).containsExactly(
                "POST /v1/Stores/" + STORE + "/Profiles/Lookup", "POST /v1/Stores/" + STORE + "/Profiles");
        assertThat(memory.get(0).json().path("idType").asText()).isEqualTo("phone");
        assertThat(memory.get(1).json().at("/traits/Contact/phone").asText()).isEqualTo(TwilioWebhooks.CUSTOMER);

        // one lookup per conversation: the next message uses the cached participants
        int listed = twilio.requests("/v2/Conversations/" + conversation + "/Participants$").size();
        String second = id("comms_communication_");
        ingress.twilio.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation, second,
                TwilioWebhooks.CUSTOMER, customer, TwilioWebhooks.AGENT_NUMBER, "again"));
        assertThat(inbound.awaitValues(conversation, 2)).hasSize(2);
        assertThat(twilio.requests("/v2/Conversations/" + conversation + "/Participants$")).hasSize(listed);
    }

    @Test
    void aKnownCustomerProfileIsFoundByLookupAndNotCreatedAgain() {
        String phone = "+1555" + (1_000_000 + (int) (Math.random() * 8_000_000));
        String known = twilio.addProfile(STORE, phone);
        String conversation = id("conv_conversation_");
        String customer = twilio.addParticipant(conversation, "UNKNOWN", "SMS", phone);
        twilio.addParticipant(conversation, "AI_AGENT", "SMS", TwilioWebhooks.AGENT_NUMBER);
        ingress.twilio.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation,
                id("comms_communication_"), phone, customer, TwilioWebhooks.AGENT_NUMBER, "Hi"));
        MessageReceived message = (MessageReceived) inbound.awaitValues(conversation, 1).get(0).getPayload();
        assertThat(message.getProfileId()).isEqualTo(known);
        assertThat(twilio.profiles(STORE)).filteredOn(p -> phone.equals(p.at("/traits/Contact/phone").asText())).hasSize(1);
    }

    @Test
    void aMessageFromASenderPoolNumberWhoseParticipantIsAnAgentIsNotPublished() {
        String conversation = id("conv_conversation_");
        String customer = twilio.addParticipant(conversation, "CUSTOMER", "SMS", TwilioWebhooks.CUSTOMER);
        twilio.addParticipant(conversation, "AI_AGENT", "SMS", TwilioWebhooks.AGENT_NUMBER);
        String pool = twilio.addParticipant(conversation, "AI_AGENT", "SMS", POOL_NUMBER);
        String human = twilio.addParticipant(conversation, "HUMAN_AGENT", "SMS", "+15550002222");

        assertThat(ingress.twilio.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation,
                id("comms_communication_"), POOL_NUMBER, pool, TwilioWebhooks.CUSTOMER, "Your order shipped")).status())
                .isEqualTo(200);
        assertThat(ingress.twilio.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation,
                id("comms_communication_"), "+15550002222", human, TwilioWebhooks.CUSTOMER, "Hi, I am Dana")).status())
                .isEqualTo(200);
        String fromCustomer = id("comms_communication_");
        ingress.twilio.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation, fromCustomer,
                TwilioWebhooks.CUSTOMER, customer, TwilioWebhooks.AGENT_NUMBER, "thanks"));
        assertThat(inbound.awaitValues(conversation, 1)).extracting(InboundEvent::getEventId).containsExactly(fromCustomer);
    }

    @Test
    void whenTwilioFailsTheMessageIsStillPublishedAsItCame() {
        String conversation = id("conv_conversation_");
        twilio.respondAlways("/v2/Conversations/" + conversation + "/Participants$", FakeTwilioApi.Reply.serverError());
        String communication = id("comms_communication_");
        assertThat(ingress.twilio.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation,
                communication, TwilioWebhooks.CUSTOMER, "Hi")).status()).isEqualTo(200);
        MessageReceived message = (MessageReceived) inbound.awaitValues(conversation, 1).get(0).getPayload();
        assertThat(message.getAuthorParticipantId()).isEqualTo("conv_participant_cust");
        assertThat(message.getProfileId()).isNull();
    }

    @Test
    void aConfigurationTwilioDoesNotKnowStopsTheStartNamingIt() {
        assertThatThrownBy(() -> new IngressFixture(vertx, 0, Map.of("TWILIO_CONVERSATION_CONFIGURATION_ID", "conv_configuration_missing",
                "TWILIO_API_BASE_URL", twilio.baseUrl(), "INGRESS_TWILIO_TIMEOUT_MS", "2000")))
                .hasStackTraceContaining("conv_configuration_missing").hasStackTraceContaining("TWILIO_MEMORY_STORE_ID");
    }
}
