package io.switchboard.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.events.Channel;
import io.switchboard.events.Memory;
import io.switchboard.events.PastCommunication;
import io.switchboard.localtwilio.FakeTwilioApi.Recorded;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.memory.MemoryClient;
import io.switchboard.memory.MemoryQuery;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A returning customer: what they said on SMS is in the memory of their next conversation on WhatsApp (router's
 * memory mode `always` for WhatsApp, local memory provider), and an agent can ask for it on demand.
 */
class MemoryEndToEndTest extends PipelineTest {
    @Test
    void aReturningCustomersEarlierMessagesReachTheAgentOnAnotherChannel() {
        String customer = "+1555" + (1_000_000 + (int) (Math.random() * 8_000_000));
        String sms = "conv_conversation_" + UUID.randomUUID().toString().replace("-", "");
        String whatsapp = "conv_conversation_" + UUID.randomUUID().toString().replace("-", "");
        String later = "comm_" + UUID.randomUUID().toString().replace("-", "");
        try (TwilioWebhooks webhooks = pipeline.webhooks()) {
            webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", sms, "comm_" + UUID.randomUUID(),
                    customer, "my parcel number is 4711"));
            twilio.awaitRequests(r -> r.path().contains(sms), 1, TIMEOUT);
            // The local memory is materialized from the topics asynchronously: wait until it has the SMS.
            MemoryClient memory = pipeline.memoryClient();
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(300)).until(() -> memory
                    .retrieve(MemoryQuery.of(sms, null, customer, Channel.SMS, "")).get().getCommunications().stream()
                    .anyMatch(c -> c.getText().equals("my parcel number is 4711")));

            webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated("WHATSAPP", whatsapp, later,
                    "whatsapp:" + customer, "recall parcel"));
            Recorded answer = twilio.awaitRequests(r -> r.path().contains(whatsapp), 1, TIMEOUT).get(0);
            assertThat(answer.json().at("/payload/content/text").asText())
                    .isEqualTo("You told me: my parcel number is 4711");
        }
        Memory attached = pipeline.memories.get(later);
        assertThat(attached).as("memory attached by the router to the WhatsApp message").isNotNull();
        assertThat(attached.getCommunications()).extracting(PastCommunication::getText)
                .contains("my parcel number is 4711");
    }
}
