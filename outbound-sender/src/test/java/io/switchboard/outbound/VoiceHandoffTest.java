package io.switchboard.outbound;

import static io.switchboard.outbound.OutboundFixture.produce;
import static io.switchboard.outbound.OutboundFixture.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.config.InvalidConfigurationException;
import io.switchboard.events.EndSession;
import io.switchboard.events.Handoff;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Session;
import io.switchboard.events.VoiceFrame;
import io.switchboard.ids.EventIds;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.localtwilio.FakeTwilioApi.Recorded;
import io.switchboard.topics.Topic;
import io.switchboard.twilio.TwilioApiMetrics;
import io.switchboard.twilio.TwilioSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A voice handoff in orchestrated mode, as TAC's handoff tool does it: the Orchestrator conversation is set INACTIVE
 * and its status callbacks cleared before the {@code end} frame, whose HandoffData carries the Memory store id read
 * from the Orchestrator configuration at start.
 */
class VoiceHandoffTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String GROUP = "outbound-voice-handoff-" + EventIds.random();
    private static final String CONFIGURATION = "conv_configuration_voicehandoff";
    private static final String STORE = "mem_store_voicehandoff";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static FakeTwilioApi twilio;
    private static OutboundService service;

    @BeforeAll
    static void start() throws Exception {
        twilio = FakeTwilioApi.start();
        twilio.addConfiguration(CONFIGURATION, STORE);
        Map<String, String> env = OutboundFixture.env(twilio, GROUP);
        env.put(TwilioSettings.CONVERSATION_CONFIGURATION_ID, CONFIGURATION);
        service = new OutboundService(OutboundConfig.fromEnv(env), new SimpleMeterRegistry());
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
    void anOrchestratedCallIsReleasedBeforeTheEndFrameWhichCarriesTacsHandoffData() throws Exception {
        assertThat(twilio.requests("^/v2/ControlPlane/Configurations/" + CONFIGURATION + "$"))
                .as("the store id is read at start").isNotEmpty();
        String callSid = "CA" + EventIds.random().replace("-", "");
        String conversation = "conv_conversation_" + EventIds.random().replace("-", "");
        Session session = OutboundFixture.voiceSession(callSid, 1).setConversationId(conversation)
                .setProfileId("mem_profile_caller").build();
        OutboundEvent event = OutboundEvent.newBuilder(reply(session, EventIds.random(), "", 4))
                .setPayload(Handoff.newBuilder().setReason("customer asked for a human")
                        .setAttributes(Map.of("department", "billing")).build()).build();

        produce(event);

        var record = OutboundFixture.<VoiceFrame>await(Topic.VOICE_EGRESS,
                r -> r.value().getEventId().equals(event.getEventId()), 1, WAIT).stream().findFirst().orElseThrow();
        VoiceFrame frame = record.value();
        List<Recorded> calls = twilio.requests("^/v2/Conversations/" + conversation + "$");
        assertThat(calls).extracting(Recorded::method).containsExactly("PUT", "PATCH");
        assertThat(calls.get(0).json().path("status").asText()).isEqualTo("INACTIVE");
        assertThat(calls.get(1).json().at("/configuration/statusCallbacks").isArray()).isTrue();
        assertThat(calls.get(1).json().at("/configuration/statusCallbacks")).isEmpty();
        // the end frame is produced only after both calls were answered
        assertThat(record.timestamp()).isGreaterThanOrEqualTo(calls.get(1).at().toEpochMilli());

        JsonNode data = JSON.readTree(((EndSession) frame.getFrame()).getHandoffData());
        assertThat(data.path("conversationId").asText()).isEqualTo(conversation);
        assertThat(data.path("storeId").asText()).isEqualTo(STORE);
        assertThat(data.path("profileId").asText()).isEqualTo("mem_profile_caller");
        assertThat(data.at("/attributes/reason").asText()).isEqualTo("customer asked for a human");
        assertThat(data.at("/attributes/department").asText()).isEqualTo("billing");
        assertThat(frame.getCallSid().toString()).isEqualTo(callSid);
    }

    @Test
    void aCallUnderItsCallSidMakesNoOrchestratorCall() {
        String callSid = "CA" + EventIds.random().replace("-", "");
        OutboundEvent event = OutboundEvent.newBuilder(reply(OutboundFixture.voiceSession(callSid, 0).build(),
                EventIds.random(), "", 2)).setPayload(Handoff.newBuilder().setReason("r").setAttributes(Map.of()).build())
                .build();

        produce(event);

        assertThat(OutboundFixture.<VoiceFrame>await(Topic.VOICE_EGRESS, r -> r.value().getEventId().equals(event.getEventId()), 1, WAIT))
                .hasSize(1);
        assertThat(twilio.requests(callSid)).isEmpty();
    }

    @Test
    void aConfigurationThatCannotBeReadStopsTheStartNamingIt() {
        Map<String, String> env = OutboundFixture.env(twilio, GROUP + "-broken");
        env.put(TwilioSettings.CONVERSATION_CONFIGURATION_ID, "conv_configuration_unknown");
        OutboundService broken = new OutboundService(OutboundConfig.fromEnv(env), new SimpleMeterRegistry());
        try {
            assertThatThrownBy(broken::start).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("TWILIO_CONVERSATION_CONFIGURATION_ID=conv_configuration_unknown")
                    .hasMessageContaining("HTTP 404").hasMessageContaining("TWILIO_MEMORY_STORE_ID");
        } finally {
            broken.close();
        }
    }

    @Test
    void theStoreIdOverrideNeedsNoConfigurationRead() {
        Map<String, String> env = OutboundFixture.env(twilio, GROUP + "-override");
        env.put(TwilioSettings.CONVERSATION_CONFIGURATION_ID, "conv_configuration_unknown");
        env.put(TwilioSettings.MEMORY_STORE_ID, "mem_store_override");
        var messaging = new io.switchboard.outbound.messaging.MessagingSender(OutboundConfig.fromEnv(env),
                java.net.http.HttpClient.newHttpClient(), new TwilioApiMetrics(new SimpleMeterRegistry()));
        assertThat(messaging.memoryStoreId()).isEqualTo("mem_store_override");
    }
}
