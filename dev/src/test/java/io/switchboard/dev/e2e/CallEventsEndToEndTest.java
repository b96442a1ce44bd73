package io.switchboard.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.agent.CallOptions;
import io.switchboard.localtwilio.FakeTwilioApi.Recorded;
import io.switchboard.localtwilio.TwilioWebhooks;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TAC's call events (issue 20 item 3): an agent-placed call asks for them with TAC's call options, Twilio posts them
 * to ingress's signed {@code /twilio/call-events/status|amd|recording}, and they reach the agent as onCallStatus,
 * onAmd and onRecording through tac.inbound.v1, the router and tac.agent.v1.
 */
class CallEventsEndToEndTest extends PipelineTest {
    private static final String EVENTS = "http://localhost:%d/twilio/call-events/";

    @BeforeAll
    static void start() {
        await().atMost(TIMEOUT).until(() -> pipeline.agent.get() != null);
    }

    @Test
    void aPlacedCallAsksForItsEventsAndTheirCallbacksReachTheAgent() throws Exception {
        String to = "+1555" + String.format("%07d", (long) (Math.random() * 10_000_000));
        pipeline.agent.get().placeCall(to, CallOptions.NONE.withMachineDetection("DetectMessageEnd", true)
                .withRecording().withTimeout(25).withStatusEvents("initiated", "ringing", "answered", "completed"))
                .get(10, TimeUnit.SECONDS);

        Recorded request = twilio.awaitRequests(r -> r.path().endsWith("/Calls.json") && to.equals(r.form().get("To")),
                1, TIMEOUT).get(0);
        String events = String.format(EVENTS, pipeline.port);
        assertThat(request.form()).containsEntry("StatusCallback", events + "status")
                .containsEntry("StatusCallbackMethod", "POST").containsEntry("MachineDetection", "DetectMessageEnd")
                .containsEntry("AsyncAmd", "true").containsEntry("AsyncAmdStatusCallback", events + "amd")
                .containsEntry("Record", "true").containsEntry("RecordingStatusCallback", events + "recording")
                .containsEntry("Timeout", "25");
        assertThat(request.formValues("StatusCallbackEvent")).containsExactly("initiated", "ringing", "answered", "completed");

        String callSid = "CA" + UUID.randomUUID().toString().replace("-", "");
        String recordingSid = "RE" + UUID.randomUUID().toString().replace("-", "");
        try (TwilioWebhooks webhooks = pipeline.webhooks()) {
            assertThat(webhooks.postForm("/twilio/call-events/status", TwilioWebhooks.callStatus(callSid, "ringing", 1))
                    .status()).isEqualTo(204);
            assertThat(webhooks.postForm("/twilio/call-events/amd", TwilioWebhooks.amd(callSid, "machine_end_beep"))
                    .status()).isEqualTo(204);
            assertThat(webhooks.postForm("/twilio/call-events/recording",
                    TwilioWebhooks.recording(callSid, recordingSid, "completed")).status()).isEqualTo(204);
            // a retried callback is the same event: the agent hears of it once
            webhooks.postForm("/twilio/call-events/status", TwilioWebhooks.callStatus(callSid, "completed", 2));
            webhooks.postForm("/twilio/call-events/status", TwilioWebhooks.callStatus(callSid, "completed", 2));
        }
        await().atMost(TIMEOUT).until(() -> pipeline.callEvents.stream().filter(e -> e.startsWith(callSid)).count() >= 4);
        Thread.sleep(500);
        assertThat(pipeline.callEvents.stream().filter(e -> e.startsWith(callSid))).containsExactly(
                callSid + " status ringing",
                callSid + " amd machine_end_beep 4210",
                callSid + " recording completed https://api.twilio.com/2010-04-01/Accounts/" + TwilioWebhooks.ACCOUNT_SID
                        + "/Recordings/" + recordingSid,
                callSid + " status completed 37");
    }

    @Test
    void callEventsAreRefusedWithoutAValidSignatureOrWithoutTheirRequiredFields() {
        String callSid = "CA" + UUID.randomUUID().toString().replace("-", "");
        try (TwilioWebhooks webhooks = pipeline.webhooks()) {
            assertThat(webhooks.postForm("/twilio/call-events/status", TwilioWebhooks.callStatus(callSid, "ringing", 1),
                    TwilioWebhooks.Signing.FORGED, Map.of()).status()).isEqualTo(403);
            Map<String, String> noAnswer = new HashMap<>(TwilioWebhooks.amd(callSid, "human"));
            noAnswer.remove("AnsweredBy");
            assertThat(webhooks.postForm("/twilio/call-events/amd", noAnswer).status()).isEqualTo(400);
        }
        assertThat(pipeline.callEvents).noneMatch(e -> e.startsWith(callSid));
    }
}
