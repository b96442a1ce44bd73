package io.switchboard.outbound;

import static io.switchboard.outbound.OutboundFixture.messagingSession;
import static io.switchboard.outbound.OutboundFixture.produce;
import static io.switchboard.outbound.OutboundFixture.reply;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.events.Channel;
import io.switchboard.events.DeliveryEvent;
import io.switchboard.events.DeliveryStatus;
import io.switchboard.events.Handoff;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Session;
import io.switchboard.events.Source;
import io.switchboard.ids.EventIds;
import io.switchboard.kafka.PayloadType;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.localtwilio.FakeTwilioApi.Recorded;
import io.switchboard.topics.Topic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An outbound-sender without a Studio flow refuses messaging handoffs (defence in depth behind the SDK), and an
 * Orchestrator reply without participant ids never goes out from an UNKNOWN participant.
 */
class OutboundHandoffTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String GROUP = "outbound-handoff-test-" + EventIds.random();
    private static FakeTwilioApi twilio;
    private static OutboundService service;

    @BeforeAll
    static void start() throws Exception {
        twilio = FakeTwilioApi.start();
        service = new OutboundService(OutboundConfig.fromEnv(OutboundFixture.env(twilio, GROUP)), new SimpleMeterRegistry());
        service.start();
        assertThat(service.awaitAssignment(WAIT)).isTrue();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        twilio.close();
    }

    @Test
    void aMessagingHandoffWithoutAStudioFlowIsRefusedWithoutAnyTwilioCall() {
        String conversation = OutboundFixture.conversationId("conv_refused_");
        Session session = messagingSession(conversation, Channel.SMS, Source.ORCHESTRATOR)
                .setAgentParticipantId("conv_participant_agent").setCustomerParticipantId("conv_participant_customer").build();
        OutboundEvent event = OutboundEvent.newBuilder(reply(session, EventIds.random(), "", -1))
                .setPayload(Handoff.newBuilder().setReason("customer asked for a human").setAttributes(Map.of()).build())
                .build();

        produce(event);

        List<ConsumerRecord<String, DeliveryEvent>> deliveries = OutboundFixture.await(Topic.DELIVERY,
                r -> r.value().getOutboundEventId().equals(event.getEventId()), 1, WAIT);
        assertThat(deliveries).singleElement().satisfies(r -> {
            assertThat(r.value().getStatus()).isEqualTo(DeliveryStatus.FAILED);
            assertThat(r.value().getErrorMessage()).contains("TWILIO_STUDIO_HANDOFF_FLOW_SID");
            assertThat(r.value().getHandoffData()).contains("\"conversationId\":\"" + conversation + "\"")
                    .contains("customer asked for a human");
            assertThat(PayloadType.of(r.headers())).isEqualTo("Handoff");
        });
        assertThat(twilio.requests()).noneMatch(r -> r.path().contains(conversation) || r.path().contains("/Executions"));
    }

    @Test
    void aReplyWithoutParticipantIdsPromotesTheUnknownAgentParticipantAndGoesOutFromIt() {
        String conversation = OutboundFixture.conversationId("conv_unknown_agent_");
        String customer = twilio.addParticipant(conversation, "CUSTOMER", "SMS", OutboundFixture.CUSTOMER);
        String agent = twilio.addParticipant(conversation, "UNKNOWN", "SMS", OutboundFixture.PHONE);
        Session session = messagingSession(conversation, Channel.SMS, Source.ORCHESTRATOR).build();

        produce(reply(session, EventIds.random(), "Hello", -1));

        List<Recorded> sent = twilio.awaitRequests(r -> r.path().equals("/v2/Conversations/" + conversation + "/Actions"),
                1, WAIT);
        assertThat(sent.get(0).json().at("/payload/from/participantId").asText()).isEqualTo(agent);
        assertThat(sent.get(0).json().at("/payload/to/0/participantId").asText()).isEqualTo(customer);
        assertThat(twilio.participants(conversation)).filteredOn(p -> p.path("id").asText().equals(agent))
                .singleElement().satisfies(p -> assertThat(p.path("type").asText()).isEqualTo("AI_AGENT"));
        List<Recorded> calls = twilio.requests(conversation);
        assertThat(calls).extracting(r -> r.method() + " " + r.path()).containsExactly(
                "GET /v2/Conversations/" + conversation + "/Participants",
                "PUT /v2/Conversations/" + conversation + "/Participants/" + agent,
                "POST /v2/Conversations/" + conversation + "/Actions");
    }
}
