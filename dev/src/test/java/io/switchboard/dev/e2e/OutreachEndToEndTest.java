package io.switchboard.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.switchboard.agent.StartOptions;
import io.switchboard.config.KafkaSettings;
import io.switchboard.events.Channel;
import io.switchboard.events.DeliveryEvent;
import io.switchboard.events.DeliveryStatus;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.localtwilio.FakeTwilioApi.Recorded;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.testkit.RelayClient;
import io.switchboard.topics.Topic;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Agent-initiated conversations: SwitchboardAgent.startConversation / placeCall through the whole pipeline. */
class OutreachEndToEndTest extends PipelineTest {
    @BeforeAll
    static void start() throws Exception {
        await().atMost(TIMEOUT).until(() -> pipeline.agent.get() != null);
    }

    private static String customer() {
        return "+1555" + String.format("%07d", (long) (Math.random() * 10_000_000));
    }

    @Test
    void anAgentStartedSmsConversationIsCreatedWithBothParticipantsAndTheCustomersAnswerReachesTheAgentInIt()
            throws Exception {
        String to = customer();
        String text = "Your order shipped " + UUID.randomUUID();
        String conversation = pipeline.agent.get().startConversation(Channel.SMS, to, text).get(30, TimeUnit.SECONDS);

        Recorded send = twilio.awaitRequests(r -> r.path().endsWith("/Actions")
                && text.equals(r.json().at("/payload/content/text").asText()), 1, TIMEOUT).get(0);
        assertThat(send.path()).as("startConversation returns the conversation's id")
                .isEqualTo("/v2/Conversations/" + conversation + "/Actions");
        Recorded create = twilio.requests().stream().filter(r -> r.method().equals("POST")
                && r.path().equals("/v2/Conversations") && r.body().contains(to)).findFirst().orElseThrow();
        assertThat(create.json().at("/participants/0/type").asText()).isEqualTo("CUSTOMER");
        assertThat(create.json().at("/participants/0/addresses/0/channel").asText()).isEqualTo("SMS");
        assertThat(create.json().at("/participants/0/addresses/0/address").asText()).isEqualTo(to);
        assertThat(create.json().at("/participants/1/type").asText()).isEqualTo("AI_AGENT");
        assertThat(create.json().at("/participants/1/addresses/0/address").asText()).isEqualTo(TwilioWebhooks.AGENT_NUMBER);
        assertThat(send.at().isAfter(create.at())).isTrue();
        assertThat(send.json().at("/payload/to/0/participantId").asText()).isNotBlank();
        String answer = "comm_" + UUID.randomUUID();
        try (TwilioWebhooks webhooks = pipeline.webhooks()) {
            webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation, answer, to, "thanks!"));
        }
        await().atMost(TIMEOUT).until(() -> pipeline.conversationOf.containsKey(answer));
        assertThat(pipeline.conversationOf.get(answer)).isEqualTo(conversation);
    }

    @Test
    void anExistingActiveConversationIsReusedOnConflict() throws Exception {
        String existing = "conv_conversation_" + UUID.randomUUID().toString().replace("-", "");
        String to = "whatsapp:" + customer();
        String customerId = twilio.addParticipant(existing, "CUSTOMER", "WHATSAPP", to);
        twilio.addParticipant(existing, "AI_AGENT", "WHATSAPP", TwilioWebhooks.agentAddress("WHATSAPP"));
        twilio.conflictOnNextCreate(existing);
        String text = "Reminder " + UUID.randomUUID();
        assertThat(pipeline.agent.get().startConversation(Channel.WHATSAPP, to, text).get(30, TimeUnit.SECONDS))
                .isEqualTo(existing);

        Recorded send = twilio.awaitRequests(r -> r.path().endsWith("/Actions")
                && text.equals(r.json().at("/payload/content/text").asText()), 1, TIMEOUT).get(0);
        assertThat(send.path()).isEqualTo("/v2/Conversations/" + existing + "/Actions");
        assertThat(send.json().at("/payload/from/channel").asText()).isEqualTo("WHATSAPP");
        assertThat(send.json().at("/payload/to/0/participantId").asText()).isEqualTo(customerId);
    }

    @Test
    void aFailedFirstMessageClosesTheConversationItCreated() throws Exception {
        String to = customer();
        twilio.respondNext("/Actions$", FakeTwilioApi.Reply.twilioError(400, 21610, "Attempt to send to unsubscribed recipient"));
        String text = "Hello? " + UUID.randomUUID();
        assertThatThrownBy(() -> pipeline.agent.get().startConversation(Channel.SMS, to, text).get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("not started")
                .hasMessageContaining("21610");

        Recorded send = twilio.awaitRequests(r -> r.path().endsWith("/Actions")
                && text.equals(r.json().at("/payload/content/text").asText()), 1, TIMEOUT).get(0);
        String conversation = send.path().split("/")[3];
        List<Recorded> closes = twilio.awaitRequests(r -> r.method().equals("PUT")
                && r.path().equals("/v2/Conversations/" + conversation), 1, TIMEOUT);
        assertThat(closes.get(0).json().path("status").asText()).isEqualTo("CLOSED");
    }

    @Test
    void anAgentPlacedCallUsesTheCallsApiWithIngressTwimlAndTheCalleeIsAnsweredInThatCall() throws Exception {
        String to = customer();
        String requestId = pipeline.agent.get().placeCall(to).get(10, TimeUnit.SECONDS);

        Recorded call = twilio.awaitRequests(r -> r.path().endsWith("/Calls.json") && to.equals(r.form().get("To")),
                1, TIMEOUT).get(0);
        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.path()).isEqualTo("/2010-04-01/Accounts/" + TwilioWebhooks.ACCOUNT_SID + "/Calls.json");
        assertThat(call.form()).containsEntry("From", TwilioWebhooks.AGENT_NUMBER)
                .containsEntry("Url", "http://localhost:" + pipeline.port + "/twiml");
        DeliveryEvent delivery = delivery("outreach-" + requestId);
        assertThat(delivery.getStatus()).isEqualTo(DeliveryStatus.SENT);
        String callSid = delivery.getTwilioId();
        assertThat(callSid).startsWith("CA");

        try (RelayClient relay = RelayClient.connect(pipeline.vertx, pipeline.port, Pipeline.AUTH_TOKEN)) {
            relay.setup(callSid).prompt("who is this");
            relay.awaitFrame(f -> "text".equals(f.getString("type")) && f.getBoolean("last", false));
            assertThat(relay.spokenText()).isEqualTo("You said: who is this");
        }
        assertThat(pipeline.conversationOf.values()).contains(callSid);
    }

    @Test
    void anRcsConversationStartsFromTheSenderTheAgentPicksFromTheAllowList() throws Exception {
        String to = "rcs:" + customer();
        String text = "Your table is ready " + UUID.randomUUID();
        String conversation = pipeline.agent.get().startConversation(Channel.RCS, to, text,
                StartOptions.NONE.withFrom(Pipeline.RCS_SUPPORT_SENDER)).get(30, TimeUnit.SECONDS);
        Recorded create = twilio.requests().stream().filter(r -> r.method().equals("POST")
                && r.path().equals("/v2/Conversations") && r.body().contains(to)).findFirst().orElseThrow();
        assertThat(create.json().at("/participants/1/type").asText()).isEqualTo("AI_AGENT");
        assertThat(create.json().at("/participants/1/addresses/0/address").asText()).isEqualTo(Pipeline.RCS_SUPPORT_SENDER);
        twilio.awaitRequests(r -> r.path().equals("/v2/Conversations/" + conversation + "/Actions")
                && text.equals(r.json().at("/payload/content/text").asText()), 1, TIMEOUT);

        String other = "rcs:" + customer();
        assertThatThrownBy(() -> pipeline.agent.get().startConversation(Channel.RCS, other, "hi",
                StartOptions.NONE.withFrom("rcs:someone_else")).get(30, TimeUnit.SECONDS))
                .hasMessageContaining("not one of").hasMessageContaining("TWILIO_RCS_SENDER_IDS");
        assertThat(twilio.requests()).noneMatch(r -> r.body() != null && r.body().contains(other));
    }

    @Test
    void anAgentStartedChatConversationCarriesTacsChannelId() throws Exception {
        String text = "Welcome to the chat " + UUID.randomUUID();
        String conversation = pipeline.agent.get().startConversation(Channel.CHAT, "jane." + UUID.randomUUID(), text,
                StartOptions.NONE.withChannelId("CH0000000000000000000000000000e2e8")).get(30, TimeUnit.SECONDS);
        Recorded send = twilio.awaitRequests(r -> r.path().equals("/v2/Conversations/" + conversation + "/Actions")
                && text.equals(r.json().at("/payload/content/text").asText()), 1, TIMEOUT).get(0);
        assertThat(send.json().at("/payload/channelSettings/channelId").asText())
                .isEqualTo("CH0000000000000000000000000000e2e8");
        assertThat(send.json().at("/payload/from/channel").asText()).isEqualTo("CHAT");
    }

    private static DeliveryEvent delivery(String key) {
        KafkaClients clients = new KafkaClients(KafkaSettings.fromEnv(pipeline.stack.env()));
        try (KafkaConsumer<String, DeliveryEvent> consumer = clients.consumer(null, "e2e-outreach", Topic.DELIVERY)) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topic.DELIVERY.topicName()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.currentTimeMillis() + TIMEOUT.toMillis();
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, DeliveryEvent> record : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(record.key())) {
                        return record.value();
                    }
                }
            }
        }
        throw new AssertionError("No delivery for " + key);
    }
}
