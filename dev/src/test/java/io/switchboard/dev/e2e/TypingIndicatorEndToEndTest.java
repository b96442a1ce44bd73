package io.switchboard.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.localtwilio.FakeTwilioApi.Recorded;
import io.switchboard.localtwilio.TwilioWebhooks;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Typing indicators through the whole pipeline (the e2e stack runs with SWITCHBOARD_AGENT_TYPING_INDICATOR=true and
 * a 200 ms delay): a slow WhatsApp reply is preceded by Twilio's typing indicator for the customer's message.
 */
class TypingIndicatorEndToEndTest extends PipelineTest {
    private static final String INDICATOR = "/v2/Indicators/Typing.json";

    @Test
    void aSlowWhatsAppReplyIsPrecededByATypingIndicatorForTheCustomersMessage() {
        String conversation = "conv_conversation_" + UUID.randomUUID().toString().replace("-", "");
        String communication = "comm_" + UUID.randomUUID();
        String messageSid = "SM" + communication.hashCode(); // the channelId TwilioWebhooks gives the message
        post("WHATSAPP", conversation, communication, "whatsapp:" + TwilioWebhooks.CUSTOMER);

        List<Recorded> calls = twilio.awaitRequests(r -> r.path().equals("/v2/Conversations/" + conversation + "/Actions")
                || r.path().equals(INDICATOR) && messageSid.equals(r.form().get("messageId")), 2, TIMEOUT);
        assertThat(calls).extracting(Recorded::path)
                .containsExactly(INDICATOR, "/v2/Conversations/" + conversation + "/Actions");
        assertThat(calls.get(0).form()).containsEntry("channel", "whatsapp");
        assertThat(calls.get(1).json().at("/payload/content/text").asText()).isEqualTo("Thought about it");
    }

    @Test
    void aSlowSmsReplyHasNone() {
        String conversation = "conv_conversation_" + UUID.randomUUID().toString().replace("-", "");
        String communication = "comm_" + UUID.randomUUID();
        String messageSid = "SM" + communication.hashCode();
        post("SMS", conversation, communication, TwilioWebhooks.CUSTOMER);

        twilio.awaitRequests(r -> r.path().equals("/v2/Conversations/" + conversation + "/Actions"), 1, TIMEOUT);
        assertThat(twilio.requests(INDICATOR)).noneMatch(r -> messageSid.equals(r.form().get("messageId")));
    }

    private static void post(String channel, String conversation, String communication, String customer) {
        try (TwilioWebhooks webhooks = pipeline.webhooks()) {
            assertThat(webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated(channel, conversation,
                    communication, customer, "think about my order")).status()).isEqualTo(200);
        }
    }
}
