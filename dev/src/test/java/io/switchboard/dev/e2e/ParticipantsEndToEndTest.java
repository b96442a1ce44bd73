package io.switchboard.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.agent.Message;
import io.switchboard.ingress.IngressConfig;
import io.switchboard.ingress.IngressService;
import io.switchboard.localtwilio.FakeTwilioApi.Recorded;
import io.switchboard.localtwilio.TwilioWebhooks;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Orchestrated messaging through the whole pipeline: a second ingress instance in orchestrated mode
 * (TWILIO_CONVERSATION_CONFIGURATION_ID, its store from the configuration's memoryStoreId) in front of the shared
 * router, agent and outbound-sender. Participants are reconciled as TAC does before the agent runs, the reply goes out
 * from the AI_AGENT participant, and a sender-pool number's AI_AGENT messages never reach the agent.
 */
class ParticipantsEndToEndTest extends PipelineTest {
    private static final String CONFIGURATION = "conv_configuration_e2e_participants";
    private static final String STORE = "mem_store_e2e_participants";
    private static IngressService orchestrated;

    @BeforeAll
    static void startOrchestratedIngress() throws Exception {
        twilio.addConfiguration(CONFIGURATION, STORE);
        Map<String, String> env = new HashMap<>(pipeline.stack.env());
        env.put("TWILIO_CONVERSATION_CONFIGURATION_ID", CONFIGURATION);
        env.put("PORT", "0");
        env.put("INGRESS_INSTANCE_ID", "1");
        orchestrated = new IngressService(IngressConfig.fromEnv(env), pipeline.vertx, new SimpleMeterRegistry());
        orchestrated.start();
    }

    @AfterAll
    static void stopOrchestratedIngress() {
        if (orchestrated != null) {
            orchestrated.close();
        }
    }

    private static TwilioWebhooks webhooks() {
        return new TwilioWebhooks(pipeline.vertx, orchestrated.port(), Pipeline.AUTH_TOKEN);
    }

    @Test
    void unknownParticipantsAreReconciledBeforeTheAgentRunsAndTheReplyGoesOutFromTheAiAgent() {
        String conversation = "conv_conversation_" + UUID.randomUUID().toString().replace("-", "");
        String phone = "+1555" + (2_000_000 + (int) (Math.random() * 7_000_000));
        String customer = twilio.addParticipant(conversation, "UNKNOWN", "SMS", phone);
        String agent = twilio.addParticipant(conversation, "UNKNOWN", "SMS", TwilioWebhooks.AGENT_NUMBER);
        String communication = "comms_communication_" + UUID.randomUUID().toString().replace("-", "");
        try (TwilioWebhooks webhooks = webhooks()) {
            assertThat(webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation,
                    communication, phone, customer, TwilioWebhooks.AGENT_NUMBER, "Hello there")).status()).isEqualTo(200);
        }

        await().atMost(TIMEOUT).until(() -> pipeline.messages.stream().anyMatch(m -> m.messageId().equals(communication)));
        String profile = twilio.profiles(STORE).stream().filter(p -> phone.equals(p.at("/traits/Contact/phone").asText()))
                .map(p -> p.path("id").asText()).findFirst().orElseThrow();
        assertThat(twilio.participants(conversation)).extracting(p -> p.path("id").asText() + "=" + p.path("type").asText()
                + "/" + p.path("profileId").asText("")).containsExactlyInAnyOrder(customer + "=CUSTOMER/" + profile,
                agent + "=AI_AGENT/");

        List<Recorded> sent = twilio.awaitRequests(r -> r.path().equals("/v2/Conversations/" + conversation + "/Actions"),
                1, TIMEOUT);
        assertThat(sent.get(0).json().at("/payload/from/participantId").asText()).isEqualTo(agent);
        assertThat(sent.get(0).json().at("/payload/to/0/participantId").asText()).isEqualTo(customer);
        assertThat(sent.get(0).json().at("/payload/content/text").asText()).isEqualTo("You said: Hello there");
    }

    @Test
    void aSenderPoolNumbersAiAgentMessageProducesNoAgentEvent() {
        String conversation = "conv_conversation_" + UUID.randomUUID().toString().replace("-", "");
        String customer = twilio.addParticipant(conversation, "CUSTOMER", "SMS", TwilioWebhooks.CUSTOMER);
        twilio.addParticipant(conversation, "AI_AGENT", "SMS", TwilioWebhooks.AGENT_NUMBER);
        String pool = twilio.addParticipant(conversation, "AI_AGENT", "SMS", "+15550003333");
        String echo = "comms_communication_" + UUID.randomUUID().toString().replace("-", "");
        String fromCustomer = "comms_communication_" + UUID.randomUUID().toString().replace("-", "");
        try (TwilioWebhooks webhooks = webhooks()) {
            assertThat(webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation, echo,
                    "+15550003333", pool, TwilioWebhooks.CUSTOMER, "You said: hi")).status()).isEqualTo(200);
            webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation, fromCustomer,
                    TwilioWebhooks.CUSTOMER, customer, TwilioWebhooks.AGENT_NUMBER, "hi"));
        }
        await().atMost(TIMEOUT).until(() -> pipeline.messages.stream().anyMatch(m -> m.messageId().equals(fromCustomer)));
        assertThat(pipeline.messages.stream().map(Message::messageId)).doesNotContain(echo);
        assertThat(pipeline.conversationOf.entrySet().stream().filter(e -> e.getValue().equals(conversation)))
                .hasSize(1);
    }
}
