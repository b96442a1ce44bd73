package io.switchboard.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.config.KafkaSettings;
import io.switchboard.events.DeadLetter;
import io.switchboard.events.DeliveryEvent;
import io.switchboard.events.DeliveryStatus;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.localtwilio.FakeTwilioApi.Recorded;
import io.switchboard.localtwilio.FakeTwilioApi.Reply;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.topics.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Messaging through the whole pipeline: signed webhook → Kafka → router → agent → outbound → Twilio's API (fake). */
class MessagingEndToEndTest extends PipelineTest {
    private static String id(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "");
    }

    private static Predicate<Recorded> about(String conversationId) {
        return r -> r.path().contains("/" + conversationId + "/");
    }

    private static String customer(String channel) {
        return switch (channel) {
            case "WHATSAPP" -> "whatsapp:" + TwilioWebhooks.CUSTOMER;
            case "RCS" -> "rcs:" + TwilioWebhooks.CUSTOMER;
            case "CHAT" -> "jane.doe";
            default -> TwilioWebhooks.CUSTOMER;
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"SMS", "WHATSAPP", "RCS", "CHAT"})
    void anOrchestratorMessageIsAnsweredWithOneSendMessageAction(String channel) {
        String conversation = "conv_conversation_" + id("");
        try (TwilioWebhooks webhooks = pipeline.webhooks()) {
            TwilioWebhooks.Response accepted = webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated(
                    channel, conversation, id("comm_"), customer(channel), "where is my order"));
            assertThat(accepted.status()).isEqualTo(200);
        }
        Recorded call = twilio.awaitRequests(about(conversation), 1, TIMEOUT).get(0);
        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.path()).isEqualTo("/v2/Conversations/" + conversation + "/Actions");
        assertThat(call.basicAuthUser()).startsWith("AC");
        assertThat(call.json().path("type").asText()).isEqualTo("SEND_MESSAGE");
        assertThat(call.json().at("/payload/content/text").asText()).isEqualTo("You said: where is my order");
        assertThat(call.json().at("/payload/from/channel").asText()).isEqualTo(channel);
        assertThat(call.json().at("/payload/to/0/participantId").asText()).isEqualTo("conv_participant_cust");
        assertNoMoreCalls(conversation, 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"SMS", "WHATSAPP", "CHAT"})
    void aConversationsV1MessageIsAnsweredWithOneMessageCreate(String source) {
        String conversation = id("CH");
        String author = switch (source) {
            case "WHATSAPP" -> "whatsapp:" + TwilioWebhooks.CUSTOMER;
            case "CHAT" -> "jane.doe";
            default -> TwilioWebhooks.CUSTOMER;
        };
        try (TwilioWebhooks webhooks = pipeline.webhooks()) {
            TwilioWebhooks.Response accepted = webhooks.postForm("/webhook", TwilioWebhooks.messageAdded(
                    conversation, id("IM"), author, "hi there", source.equals("CHAT") ? "SDK" : source));
            assertThat(accepted.status()).isEqualTo(200);
        }
        Recorded call = twilio.awaitRequests(about(conversation), 1, TIMEOUT).get(0);
        assertThat(call.path()).isEqualTo("/v1/Conversations/" + conversation + "/Messages");
        assertThat(call.form()).containsEntry("Body", "You said: hi there");
        assertNoMoreCalls(conversation, 1);
    }

    @Test
    void theAgentsOwnMessageAndADuplicateWebhookReachTheAgentOnce() {
        String conversation = "conv_conversation_" + id("");
        String communication = id("comm_");
        String webhook = TwilioWebhooks.communicationCreated("SMS", conversation, communication,
                TwilioWebhooks.CUSTOMER, "one question");
        try (TwilioWebhooks webhooks = pipeline.webhooks()) {
            Map<String, String> retry = Map.of("I-Twilio-Idempotency-Token", "idem-" + communication);
            assertThat(webhooks.postJson("/webhook", webhook, TwilioWebhooks.Signing.VALID, retry).status()).isEqualTo(200);
            assertThat(webhooks.postJson("/webhook", webhook, TwilioWebhooks.Signing.VALID, retry).status()).isEqualTo(200);
            // The agent's reply comes back from Twilio as a webhook authored by the agent: never answered.
            assertThat(webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation,
                    id("comm_"), TwilioWebhooks.AGENT_NUMBER, "conv_participant_agent", TwilioWebhooks.CUSTOMER,
                    "You said: one question")).status()).isEqualTo(200);
        }
        twilio.awaitRequests(about(conversation), 1, TIMEOUT);
        assertNoMoreCalls(conversation, 1);
        assertThat(pipeline.messages.stream().filter(m -> m.messageId().equals(communication))).hasSize(1);
    }

    @Test
    void rateLimitedThenAcceptedIsDeliveredOnce() {
        String conversation = "conv_conversation_" + id("");
        twilio.respondNext("/v2/Conversations/" + conversation + "/Actions", Reply.tooManyRequests(1));
        try (TwilioWebhooks webhooks = pipeline.webhooks()) {
            webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation, id("comm_"),
                    TwilioWebhooks.CUSTOMER, "try again"));
        }
        List<Recorded> calls = twilio.awaitRequests(about(conversation), 2, TIMEOUT);
        assertThat(calls).extracting(Recorded::status).containsExactly(429, 202);
        assertNoMoreCalls(conversation, 2);
        DeliveryEvent delivery = awaitRecord(Topic.DELIVERY, conversation, DeliveryEvent.class);
        assertThat(delivery.getStatus()).isEqualTo(DeliveryStatus.SENT);
        assertThat(delivery.getAttempts()).isEqualTo(2);
    }

    @Test
    void aPermanentRejectionIsAFailedDeliveryAndADeadLetter() {
        String conversation = "conv_conversation_" + id("");
        twilio.respondNext("/v2/Conversations/" + conversation + "/Actions",
                Reply.twilioError(400, 21211, "Invalid 'To' Phone Number"));
        try (TwilioWebhooks webhooks = pipeline.webhooks()) {
            webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation, id("comm_"),
                    TwilioWebhooks.CUSTOMER, "text me"));
        }
        DeliveryEvent delivery = awaitRecord(Topic.DELIVERY, conversation, DeliveryEvent.class);
        assertThat(delivery.getStatus()).isEqualTo(DeliveryStatus.FAILED);
        assertThat(delivery.getErrorCode()).isEqualTo(21211);
        DeadLetter dead = awaitRecord(Topic.DEAD_LETTER, conversation, DeadLetter.class);
        assertThat(dead.getErrorMessage()).contains("21211");
    }

    @Test
    void aClosedConversationEndsOnceForTheAgent() {
        String conversation = "conv_conversation_" + id("");
        try (TwilioWebhooks webhooks = pipeline.webhooks()) {
            webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated("WHATSAPP", conversation, id("comm_"),
                    customer("WHATSAPP"), "bye"));
            twilio.awaitRequests(about(conversation), 1, TIMEOUT);
            webhooks.postJson("/webhook", TwilioWebhooks.conversationUpdated(conversation, "CLOSED"));
            webhooks.postJson("/webhook", TwilioWebhooks.conversationUpdated(conversation, "CLOSED"));
        }
        await().atMost(TIMEOUT).until(() -> !pipeline.endedFor(conversation).isEmpty());
        assertThat(pipeline.endedFor(conversation)).singleElement()
                .satisfies(e -> assertThat(e.ended().reason().name()).isEqualTo("CLOSED"));
    }

    @Test
    void nothingIsLostOrDoubledWhileTheOutboundSenderRestarts() throws Exception {
        int conversations = 250;
        int perConversation = 4;
        String run = id("");
        List<String> ids = new ArrayList<>();
        try (TwilioWebhooks webhooks = pipeline.webhooks()) {
            for (int m = 0; m < perConversation; m++) {
                for (int c = 0; c < conversations; c++) {
                    String conversation = "conv_conversation_" + run + "_" + c;
                    if (m == 0) {
                        ids.add(conversation);
                    }
                    assertThat(webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation,
                            "comm_" + run + "_" + c + "_" + m, TwilioWebhooks.CUSTOMER, "message " + m)).status())
                            .isEqualTo(200);
                }
                if (m == 1) {
                    pipeline.restartOutbound();
                }
            }
        }
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .until(() -> twilio.requests("/Actions$").stream().filter(r -> r.path().contains(run)).count()
                        >= (long) conversations * perConversation);
        Thread.sleep(1_000);
        for (String conversation : ids) {
            List<String> texts = twilio.requests().stream().filter(about(conversation)).filter(r -> r.path().endsWith("/Actions"))
                    .map(r -> r.json().at("/payload/content/text").asText()).toList();
            assertThat(texts).as(conversation).containsExactly(
                    "You said: message 0", "You said: message 1", "You said: message 2", "You said: message 3");
        }
    }

    private static void assertNoMoreCalls(String conversation, int expected) {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertThat(twilio.requests().stream().filter(about(conversation)).filter(r -> !r.method().equals("GET")))
                .hasSize(expected);
    }

    private static <V extends SpecificRecord> V awaitRecord(Topic topic, String conversationId, Class<V> type) {
        KafkaClients clients = new KafkaClients(KafkaSettings.fromEnv(pipeline.stack.env()));
        try (KafkaConsumer<String, V> consumer = clients.consumer(null, "e2e-reader", topic)) {
            var partitions = consumer.partitionsFor(topic.topicName()).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.currentTimeMillis() + TIMEOUT.toMillis();
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(200))) {
                    if (conversationId.equals(record.key())) {
                        return record.value();
                    }
                }
            }
        }
        throw new AssertionError("No " + topic.topicName() + " record for " + conversationId);
    }
}
