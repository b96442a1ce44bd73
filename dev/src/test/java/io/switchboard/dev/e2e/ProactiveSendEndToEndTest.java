package io.switchboard.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.switchboard.agent.ConversationEndedException;
import io.switchboard.agent.SwitchboardAgent;
import io.switchboard.localtwilio.FakeTwilioApi.Recorded;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.testkit.RelayClient;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Replies outside a handler (issue 20 item 5): SwitchboardAgent.sendResponse(conversationId, …) sends to a live
 * conversation at any time with the channel and addresses of its session, once per idempotency key, and is refused
 * for a conversation that ended.
 */
class ProactiveSendEndToEndTest extends PipelineTest {
    @BeforeAll
    static void agentReady() {
        await().atMost(TIMEOUT).until(() -> pipeline.agent.get() != null);
    }

    private static String id(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "");
    }

    private static Predicate<Recorded> sendOf(String conversation, String text) {
        return r -> r.path().equals("/v2/Conversations/" + conversation + "/Actions")
                && text.equals(r.json().at("/payload/content/text").asText());
    }

    /** An SMS conversation the agent has answered once. */
    private static String liveSmsConversation() {
        String conversation = "conv_conversation_" + id("");
        try (TwilioWebhooks webhooks = pipeline.webhooks()) {
            webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation, id("comm_"),
                    TwilioWebhooks.CUSTOMER, "is my refund done"));
        }
        twilio.awaitRequests(sendOf(conversation, "You said: is my refund done"), 1, TIMEOUT);
        return conversation;
    }

    @Test
    void aLateReplyReachesTheCustomerOnTheConversationsChannelOncePerIdempotencyKey() throws Exception {
        String conversation = liveSmsConversation();
        SwitchboardAgent agent = pipeline.agent.get();
        String first = agent.sendResponse(conversation, "Your refund went through", "refund-42").get(20, TimeUnit.SECONDS);
        String again = agent.sendResponse(conversation, "Your refund went through", "refund-42").get(20, TimeUnit.SECONDS);
        assertThat(again).as("a re-run's send has the same id").isEqualTo(first);

        Recorded send = twilio.awaitRequests(sendOf(conversation, "Your refund went through"), 1, TIMEOUT).get(0);
        assertThat(send.json().at("/payload/from/channel").asText()).isEqualTo("SMS");
        assertThat(send.json().at("/payload/to/0/participantId").asText()).isEqualTo("conv_participant_cust");
        Thread.sleep(1_000);
        assertThat(twilio.requests().stream().filter(sendOf(conversation, "Your refund went through")))
                .as("the second send was dropped as a duplicate").hasSize(1);
    }

    @Test
    void aProcessThatNeverHandledTheConversationFindsItsSessionOnTheAgentTopic() throws Exception {
        String conversation = liveSmsConversation();
        // a sender of its own group that starts at the end of tac.agent.v1: it has seen none of the conversation
        SwitchboardAgent sender = SwitchboardAgent.builder(pipeline.stack.env()).groupId(id("e2e-sender-"))
                .consumerProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest")
                .onMessageReady((message, session, memory) -> null).build();
        sender.start();
        try {
            sender.sendResponse(conversation, "A tool finished late", null).get(30, TimeUnit.SECONDS);
            twilio.awaitRequests(sendOf(conversation, "A tool finished late"), 1, TIMEOUT);
        } finally {
            sender.close();
        }
    }

    @Test
    void onACallTheReplyIsSpokenAndAfterTheCallEndedItIsRefused() throws Exception {
        String callSid = id("CA");
        try (RelayClient call = RelayClient.connect(pipeline.vertx, pipeline.port, Pipeline.AUTH_TOKEN);
             TwilioWebhooks webhooks = pipeline.webhooks()) {
            call.setup(callSid).prompt("hold on");
            call.awaitFrame(f -> f.getString("token", "").contains("hold"));
            pipeline.agent.get().sendResponse(callSid, "Still there?", "check-in").get(20, TimeUnit.SECONDS);
            call.awaitFrame(f -> "Still there?".equals(f.getString("token")));

            call.close();
            webhooks.postForm("/conversation-relay-callback", TwilioWebhooks.relayCallback(callSid, "ended", null));
            await().atMost(TIMEOUT).until(() -> !pipeline.endedFor(callSid).isEmpty());
        }
        assertThatThrownBy(() -> pipeline.agent.get().sendResponse(callSid, "Goodbye", "bye")
                .get(20, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ConversationEndedException.class)
                .hasMessageContaining(callSid).hasMessageContaining("ended");
        assertThatThrownBy(() -> pipeline.agent.get().sendResponse(id("conv_conversation_"), "Hello?", null)
                .get(40, TimeUnit.SECONDS))
                .cause().isInstanceOf(ConversationEndedException.class).hasMessageContaining("not live");
        List<Recorded> none = twilio.requests().stream().filter(r -> r.body() != null && r.body().contains("Goodbye")).toList();
        assertThat(none).isEmpty();
    }
}
