package io.switchboard.localtwilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.localtwilio.FakeTwilioApi.Recorded;
import io.switchboard.localtwilio.FakeTwilioApi.Reply;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fake answers like Twilio, records what it got, and plays scripted answers once. */
class FakeTwilioApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** No request may hang the build: a fake that stops answering fails the test instead. */
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static FakeTwilioApi twilio;

    @BeforeAll
    static void start() {
        twilio = FakeTwilioApi.start();
    }

    @AfterAll
    static void stop() {
        twilio.close();
    }

    private static HttpResponse<String> call(String method, String path, String contentType, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(twilio.baseUrl() + path)).timeout(TIMEOUT)
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString("SKkey:secret".getBytes(StandardCharsets.UTF_8)));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void unreachableRefusesConnectionsUntilItListensAgainOnTheSamePort() throws Exception {
        try (FakeTwilioApi unreachable = FakeTwilioApi.start()) {
            URI actions = URI.create(unreachable.baseUrl() + "/v2/Conversations/conv_u/Actions");
            HttpRequest request = HttpRequest.newBuilder(actions).timeout(TIMEOUT)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build();
            assertThat(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(202);

            unreachable.stopListening();
            // The kept-alive connection was closed by the fake, so the client's next request needs a new one: refused.
            assertThatThrownBy(() -> HTTP.send(request, HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(ConnectException.class);

            unreachable.listenAgain();
            assertThat(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(202);
            assertThat(unreachable.requests("conv_u")).hasSize(2);
        }
    }

    @Test
    void sendMessageActionIsAcceptedAndRecordedWithItsAuthorization() throws Exception {
        HttpResponse<String> response = call("POST", "/v2/Conversations/conv_a/Actions", "application/json",
                "{\"type\":\"SEND_MESSAGE\",\"payload\":{\"content\":{\"text\":\"hi\"}}}");

        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode action = JSON.readTree(response.body());
        assertThat(action.path("conversationId").asText()).isEqualTo("conv_a");
        assertThat(action.path("type").asText()).isEqualTo("SEND_MESSAGE");
        Recorded recorded = twilio.awaitRequests(r -> r.path().contains("conv_a"), 1, Duration.ofSeconds(5)).get(0);
        assertThat(recorded.basicAuthUser()).isEqualTo("SKkey");
        assertThat(recorded.basicAuthPassword()).isEqualTo("secret");
        assertThat(recorded.json().at("/payload/content/text").asText()).isEqualTo("hi");
    }

    @Test
    void scriptedAnswersArePlayedOnceThenTheDefaultReturns() throws Exception {
        twilio.respondNext("/v1/Conversations/CHx/Messages$", Reply.tooManyRequests(2));

        HttpResponse<String> first = call("POST", "/v1/Conversations/CHx/Messages",
                "application/x-www-form-urlencoded", "Author=%2B15550001111&Body=Hello+there");
        HttpResponse<String> second = call("POST", "/v1/Conversations/CHx/Messages",
                "application/x-www-form-urlencoded", "Author=%2B15550001111&Body=Hello+there");

        assertThat(first.statusCode()).isEqualTo(429);
        assertThat(first.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(JSON.readTree(first.body()).path("code").asInt()).isEqualTo(20429);
        assertThat(second.statusCode()).isEqualTo(201);
        JsonNode message = JSON.readTree(second.body());
        assertThat(message.path("sid").asText()).startsWith("IM");
        assertThat(message.path("body").asText()).isEqualTo("Hello there");
        assertThat(twilio.requests("CHx").get(1).form()).containsEntry("Author", "+15550001111");
    }

    @Test
    void participantsConversationsCallsAndStudioAnswerLikeTwilio() throws Exception {
        twilio.addParticipant("conv_p", "CUSTOMER", "SMS", "+14155550123");
        HttpResponse<String> added = call("POST", "/v2/Conversations/conv_p/Participants", "application/json",
                "{\"type\":\"AI_AGENT\",\"addresses\":[{\"channel\":\"SMS\",\"address\":\"+15550001111\"}]}");
        HttpResponse<String> listed = call("GET", "/v2/Conversations/conv_p/Participants", null, null);
        assertThat(added.statusCode()).isEqualTo(201);
        List<String> types = JSON.readTree(listed.body()).path("participants").findValuesAsText("type");
        assertThat(types).containsExactly("CUSTOMER", "AI_AGENT");

        twilio.conflictOnNextCreate("conv_existing");
        HttpResponse<String> conflict = call("POST", "/v2/Conversations", "application/json", "{}");
        assertThat(conflict.statusCode()).isEqualTo(409);
        assertThat(conflict.headers().firstValue("X-Conflicting-Resource-Id")).hasValue("conv_existing");

        twilio.addConversation("conv_call", "CA123", "ACTIVE");
        HttpResponse<String> found = call("GET", "/v2/Conversations?channelId=CA123&status=ACTIVE", null, null);
        assertThat(JSON.readTree(found.body()).path("conversations").findValuesAsText("id")).containsExactly("conv_call");

        HttpResponse<String> callCreated = call("POST", "/2010-04-01/Accounts/AC1/Calls.json",
                "application/x-www-form-urlencoded", "To=%2B14155550123&From=%2B15550001111&Twiml=%3CResponse%2F%3E");
        assertThat(callCreated.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(callCreated.body()).path("sid").asText()).startsWith("CA");

        HttpResponse<String> execution = call("POST", "/v2/Flows/FW1/Executions",
                "application/x-www-form-urlencoded", "To=%2B1&From=%2B2&Parameters=%7B%7D");
        assertThat(execution.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(execution.body()).path("flow_sid").asText()).isEqualTo("FW1");
    }

    @Test
    void delayedAnswerArrivesAfterTheDelay() throws Exception {
        twilio.respondNext("/v2/Conversations/conv_slow/Actions", Reply.delayed(Duration.ofMillis(300)));
        long start = System.nanoTime();
        HttpResponse<String> response = call("POST", "/v2/Conversations/conv_slow/Actions", "application/json",
                "{\"type\":\"SEND_MESSAGE\"}");
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(290));
    }

    @Test
    void memoryLooksUpRecallsWithinTheLimitsAndKnowsOnlyItsStores() throws Exception {
        twilio.addMemoryProfile("mem_store_fake", "mem_profile_fake", "+1 (415) 555-0100");
        twilio.addMemoryObservation("mem_store_fake", "mem_profile_fake", "Likes tea");
        twilio.addMemoryObservation("mem_store_fake", "mem_profile_fake", "Has a cat");
        twilio.addMemoryCommunication("mem_store_fake", "mem_profile_fake", "CUSTOMER", "SMS", "+14155550100", "Hello");

        JsonNode found = JSON.readTree(call("POST", "/v1/Stores/mem_store_fake/Profiles/Lookup", "application/json",
                "{\"idType\":\"phone\",\"value\":\"+14155550100\"}").body());
        assertThat(found.path("normalizedValue").asText()).isEqualTo("+14155550100");
        assertThat(found.path("profiles").get(0).asText()).isEqualTo("mem_profile_fake");
        JsonNode none = JSON.readTree(call("POST", "/v1/Stores/mem_store_fake/Profiles/Lookup", "application/json",
                "{\"idType\":\"phone\",\"value\":\"+14155559999\"}").body());
        assertThat(none.has("profiles")).as("Memory leaves profiles out when nothing matches").isFalse();

        JsonNode recalled = JSON.readTree(call("POST", "/v1/Stores/mem_store_fake/Profiles/mem_profile_fake/Recall",
                "application/json", "{\"observationsLimit\":1,\"summariesLimit\":5,\"communicationsLimit\":0}").body());
        assertThat(recalled.path("observations")).hasSize(1);
        assertThat(recalled.path("observations").get(0).path("content").asText()).isEqualTo("Has a cat");
        assertThat(recalled.path("communications")).isEmpty();

        assertThat(call("POST", "/v1/Stores/mem_store_other/Profiles/Lookup", "application/json",
                "{\"idType\":\"phone\",\"value\":\"+14155550100\"}").statusCode()).isEqualTo(404);
        assertThat(call("POST", "/v1/Stores/mem_store_fake/Profiles/mem_profile_nobody/Recall", "application/json", "{}")
                .statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(call("GET", "/v1/Stores/mem_store_fake/Profiles/mem_profile_fake", null, null).body())
                .path("traits").path("Contact").path("phone").asText()).isEqualTo("+1 (415) 555-0100");
    }

    @Test
    void communicationsAreListedInTheSpecsShapeAndSlowWhenAsked() throws Exception {
        twilio.addCommunication("conv_comms", "+14155550100", "SMS", "conv_participant_c", "First");
        twilio.addCommunication("conv_comms", "+15550001111", "SMS", "conv_participant_a", "Second");
        twilio.simulateMemoryLatency();
        try {
            long start = System.nanoTime();
            HttpResponse<String> response = call("GET", "/v2/Conversations/conv_comms/Communications?pageSize=1", null, null);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(FakeTwilioApi.COMMUNICATIONS_LATENCY);
            JsonNode list = JSON.readTree(response.body());
            assertThat(list.path("communications")).hasSize(1);
            JsonNode first = list.path("communications").get(0);
            assertThat(first.path("author").path("address").asText()).isEqualTo("+14155550100");
            assertThat(first.path("author").path("participantId").asText()).isEqualTo("conv_participant_c");
            assertThat(first.path("content").path("type").asText()).isEqualTo("TEXT");
            assertThat(first.path("content").path("text").asText()).isEqualTo("First");
            assertThat(list.path("meta").path("key").asText()).isEqualTo("communications");
            assertThat(call("GET", "/v2/Conversations/conv_unknown/Communications", null, null).statusCode()).isEqualTo(404);
        } finally {
            twilio.reset();
        }
    }
}
