package io.switchboard.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.localtwilio.FakeTwilioApi.Recorded;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** An end-to-end test on the shared dev pipeline: started once per test JVM, closed when the tests end. */
@ExtendWith(Pipeline.Shared.class)
abstract class PipelineTest {
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static Pipeline pipeline;
    static FakeTwilioApi twilio;

    /**
     * Waits for the Twilio calls of a messaging handoff of {@code conversation} and checks their order: the goodbye
     * message, the conversation closed, its status callbacks removed, the Studio flow started. Returns them in order.
     */
    static List<Recorded> awaitMessagingHandoff(String conversation) {
        List<Recorded> calls = twilio.awaitRequests(r -> r.path().contains(conversation)
                || r.path().equals("/v2/Flows/" + Pipeline.HANDOFF_FLOW + "/Executions")
                && r.form().getOrDefault("Parameters", "").contains(conversation), 4, TIMEOUT);
        assertThat(calls).extracting(r -> r.method() + " " + r.path()).containsExactly(
                "POST /v2/Conversations/" + conversation + "/Actions",
                // Studio first; the conversation leaves the agent only once Studio accepted it
                "POST /v2/Flows/" + Pipeline.HANDOFF_FLOW + "/Executions",
                "PUT /v2/Conversations/" + conversation,
                "PATCH /v2/Conversations/" + conversation);
        return calls;
    }

    @BeforeAll
    static void startPipeline() throws Exception {
        pipeline = Pipeline.get();
        twilio = pipeline.twilio();
    }
}
