package io.switchboard.ingress.voice;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.ingress.IngressMetrics;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.localtwilio.FakeTwilioApi.Listing;
import io.switchboard.twilio.TwilioAccess;
import io.switchboard.twilio.TwilioApiMetrics;
import io.vertx.core.Vertx;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The lookup against the fake Orchestrator, which lists a call's conversation only after some polls, as Twilio. */
class ConversationLookupTest {
    private static final LookupSchedule FAST = new LookupSchedule(5, Duration.ofMillis(20), Duration.ofMillis(50));
    private static Vertx vertx;
    private static FakeTwilioApi twilio;
    private static SimpleMeterRegistry meters;
    private static ConversationLookup lookup;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        twilio = FakeTwilioApi.start(vertx);
        meters = new SimpleMeterRegistry();
        lookup = new ConversationLookup(vertx, new TwilioAccess(twilio.baseUrl(), null, "AC1", "token", "SK1", "secret")
                .orchestrator(HttpClient.newHttpClient(), Duration.ofSeconds(2), new TwilioApiMetrics(meters)), FAST,
                new IngressMetrics(meters));
    }

    @AfterAll
    static void stop() {
        lookup.close();
        twilio.close();
        vertx.close();
    }

    private static String callSid() {
        return "CA" + UUID.randomUUID().toString().replace("-", "");
    }

    private static ConversationLookup.Found find(String callSid) throws Exception {
        return lookup.find(callSid).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void pollsUntilTheConversationIsListedThenTakesTheCustomerAndTheAiAgent() throws Exception {
        String callSid = callSid();
        FakeTwilioApi.OrchestratedCall call = twilio.orchestrateCall("conv_configuration_1", callSid, "+15559876543",
                "+15551234567", "mem_profile_caller", Listing.fromPoll(3));

        ConversationLookup.Found found = find(callSid);

        assertThat(found).isEqualTo(new ConversationLookup.Found(call.conversationId(), "mem_profile_caller",
                "+15559876543", call.customerParticipantId(), call.aiAgentParticipantId()));
        assertThat(twilio.listPolls(callSid)).isEqualTo(3);
        assertThat(twilio.requests("^/v2/Conversations$")).filteredOn(r -> callSid.equals(r.queryParam("channelId")))
                .allSatisfy(r -> {
                    assertThat(r.queryParam("status")).isEqualTo("ACTIVE");
                    assertThat(r.basicAuthUser()).isEqualTo("SK1");
                });
        assertThat(meters.counter("switchboard.ingress.voice.lookups", "result", "found").count()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void givesUpAfterTheLastTryWithNothing() throws Exception {
        String callSid = callSid();
        twilio.orchestrateCall("conv_configuration_1", callSid, "+15559876543", "+15551234567", null, Listing.never());
        double before = meters.counter("switchboard.ingress.voice.lookups", "result", "not_found").count();

        assertThat(find(callSid)).isNull();
        assertThat(twilio.listPolls(callSid)).isEqualTo(5);
        assertThat(meters.counter("switchboard.ingress.voice.lookups", "result", "not_found").count()).isEqualTo(before + 1);
    }

    @Test
    void aTwilioErrorIsTriedAgain() throws Exception {
        String callSid = callSid();
        FakeTwilioApi.OrchestratedCall call = twilio.orchestrateCall("conv_configuration_1", callSid, "+15559876543",
                "+15551234567", null, Listing.fromPoll(1));
        twilio.respondNext("^/v2/Conversations$", FakeTwilioApi.Reply.serverError());

        ConversationLookup.Found found = find(callSid);
        assertThat(found.conversationId()).isEqualTo(call.conversationId());
        assertThat(found.profileId()).isNull();
    }
}
