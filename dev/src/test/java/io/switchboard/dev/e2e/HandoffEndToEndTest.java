package io.switchboard.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.agent.Message;
import io.switchboard.events.agent.EndReason;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.localtwilio.FakeTwilioApi.Recorded;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.testkit.RelayClient;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Human handoff through the whole pipeline: the agent calls {@code reply.handoff(reason, attributes)}. */
class HandoffEndToEndTest extends PipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aRelayOnlyVoiceHandoffSendsTacsHandoffDataToStudioThroughTheConnectAction() throws Exception {
        String callSid = "CA" + UUID.randomUUID().toString().replace("-", "");
        try (RelayClient call = RelayClient.connect(pipeline.vertx, pipeline.port, Pipeline.AUTH_TOKEN);
             TwilioWebhooks webhooks = pipeline.webhooks()) {
            // with a Studio flow the action is the flow's webhook (TAC), so Twilio's action request reaches Studio
            String twiml = webhooks.postForm("/twiml", TwilioWebhooks.incomingCall(callSid)).body();
            String action = "https://webhooks.twilio.com/v1/Accounts/" + TwilioWebhooks.ACCOUNT_SID + "/Flows/"
                    + Pipeline.HANDOFF_FLOW + "?Trigger=incomingCall";
            assertThat(twiml).contains("<Connect action=\"" + action + "\">");

            call.setup(callSid).prompt("hand me off");
            JsonObject end = call.awaitFrame(f -> "end".equals(f.getString("type")));
            assertThat(call.spokenText()).isEqualTo("Connecting you to a person");
            JsonNode data = JSON.readTree(end.getString("handoffData"));
            assertThat(data.path("conversationId").asText()).isEqualTo(callSid);
            // relay-only: no Memory store, no profile: TAC's "" for both
            assertThat(data.path("storeId").isTextual()).isTrue();
            assertThat(data.path("profileId").asText()).isEmpty();
            assertThat(data.at("/attributes/reason").asText()).isEqualTo("customer asked for a human");
            assertThat(data.at("/attributes/department").asText()).isEqualTo("billing");
            // a relay-only call makes no Orchestrator call
            assertThat(twilio.requests(callSid)).isEmpty();

            call.close();
            java.net.URI uri = java.net.URI.create(action);
            String form = TwilioWebhooks.relayCallback(callSid, "ended", end.getString("handoffData")).entrySet().stream()
                    .map(e -> java.net.URLEncoder.encode(e.getKey(), java.nio.charset.StandardCharsets.UTF_8) + "="
                            + java.net.URLEncoder.encode(e.getValue(), java.nio.charset.StandardCharsets.UTF_8))
                    .collect(java.util.stream.Collectors.joining("&"));
            var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(twilio.baseUrl() + uri.getRawPath() + "?" + uri.getRawQuery()))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(form)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(twilio.studioVoiceRequests(Pipeline.HANDOFF_FLOW))
                    .filteredOn(r -> callSid.equals(r.form().get("CallSid"))).singleElement()
                    .satisfies(r -> assertThat(JSON.readTree(r.form().get("HandoffData"))).isEqualTo(data));

            // the relay callback (no flow case) never redirects: no <Redirect> carries HandoffData
            TwilioWebhooks.Response plainEnd = webhooks.postForm("/conversation-relay-callback",
                    TwilioWebhooks.relayCallback(callSid, "ended", end.getString("handoffData")));
            assertThat(plainEnd.body()).doesNotContain("<Redirect");
        }
    }

    @Test
    void aMessagingHandoffCallsTacsApisAndTheAgentNoLongerGetsTheConversation() throws Exception {
        String conversation = "conv_conversation_" + UUID.randomUUID().toString().replace("-", "");
        try (TwilioWebhooks webhooks = pipeline.webhooks()) {
            assertThat(webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation,
                    "comm_" + UUID.randomUUID(), TwilioWebhooks.CUSTOMER, "hand me off")).status()).isEqualTo(200);

            List<Recorded> calls = awaitMessagingHandoff(conversation);
            assertThat(calls.get(0).json().at("/payload/content/text").asText()).isEqualTo("Connecting you to a person");
            assertThat(calls.get(2).json().path("status").asText()).isEqualTo("INACTIVE");
            assertThat(calls.get(3).json().at("/configuration/statusCallbacks").isArray()).isTrue();
            assertThat(calls.get(3).json().at("/configuration/statusCallbacks")).isEmpty();
            Recorded execution = calls.get(1);
            assertThat(execution.form()).containsEntry("To", TwilioWebhooks.CUSTOMER)
                    .containsEntry("From", TwilioWebhooks.AGENT_NUMBER);
            JsonNode handoff = JSON.readTree(execution.form().get("Parameters")).path("HandoffData");
            assertThat(handoff.path("conversationId").asText()).isEqualTo(conversation);
            assertThat(handoff.at("/attributes/reason").asText()).isEqualTo("customer asked for a human");
            assertThat(handoff.at("/attributes/department").asText()).isEqualTo("billing");

            await().atMost(TIMEOUT).until(() -> !pipeline.endedFor(conversation).isEmpty());
            assertThat(pipeline.endedFor(conversation)).singleElement()
                    .satisfies(e -> assertThat(e.ended().reason()).isEqualTo(EndReason.HANDOFF));

            // the human has it: a message now is not the agent's; once the conversation is CLOSED a new one is
            String ignored = "comm_" + UUID.randomUUID();
            webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation, ignored,
                    TwilioWebhooks.CUSTOMER, "are you a person?"));
            webhooks.postJson("/webhook", TwilioWebhooks.conversationUpdated(conversation, "CLOSED"));
            String fresh = "comm_" + UUID.randomUUID();
            webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation, fresh,
                    TwilioWebhooks.CUSTOMER, "back again"));
            await().atMost(TIMEOUT).until(() -> pipeline.messages.stream().anyMatch(m -> m.messageId().equals(fresh)));
            assertThat(pipeline.messages.stream().map(Message::messageId)).doesNotContain(ignored);
        }
    }

    @Test
    void whenStudioFailsTheAgentIsToldKeepsTheConversationAndItIsNotSetInactive() throws Exception {
        String conversation = "conv_conversation_" + UUID.randomUUID().toString().replace("-", "");
        twilio.respondNext("/v2/Flows/" + Pipeline.HANDOFF_FLOW + "/Executions$", FakeTwilioApi.Reply.serverError());
        try (TwilioWebhooks webhooks = pipeline.webhooks()) {
            webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation,
                    "comm_" + UUID.randomUUID(), TwilioWebhooks.CUSTOMER, "hand me off"));

            await().atMost(TIMEOUT).until(() -> pipeline.handoffFailures.stream().anyMatch(f -> f.startsWith(conversation)));
            assertThat(pipeline.handoffFailures).filteredOn(f -> f.startsWith(conversation)).singleElement()
                    .asString().contains("Internal Server Error");
            // the agent's answer to the failure reaches the customer; the conversation was never set INACTIVE
            await().atMost(TIMEOUT).until(() -> twilio.requests("/v2/Conversations/" + conversation + "/Actions$").stream()
                    .anyMatch(r -> r.json().at("/payload/content/text").asText().equals("Sorry, I could not transfer you.")));
            assertThat(twilio.requests("/v2/Conversations/" + conversation + "$")).as("no PUT INACTIVE, no PATCH").isEmpty();
            assertThat(pipeline.endedFor(conversation)).isEmpty();

            String later = "comm_" + UUID.randomUUID();
            webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation, later,
                    TwilioWebhooks.CUSTOMER, "still there?"));
            await().atMost(TIMEOUT).until(() -> pipeline.messages.stream().anyMatch(m -> m.messageId().equals(later)));
        }
    }
}
