package io.switchboard.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.agent.Message;
import io.switchboard.events.agent.EndReason;
import io.switchboard.ingress.IngressConfig;
import io.switchboard.ingress.IngressService;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.localtwilio.FakeTwilioApi.Listing;
import io.switchboard.localtwilio.FakeTwilioApi.OrchestratedCall;
import io.switchboard.localtwilio.FakeTwilioApi.Recorded;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.testkit.RelayClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Orchestrated voice as Twilio runs it: an ingress instance with {@code TWILIO_CONVERSATION_CONFIGURATION_ID} set,
 * the fake Orchestrator creating each call's conversation after the TwiML and listing it only after some polls. The
 * call must join that conversation (memory, CLOSED, Conversation Intelligence by its id) and a handoff must reach
 * Studio with TAC's HandoffData through the {@code <Connect action>} request Twilio makes after the {@code end} frame.
 */
class OrchestratedVoiceEndToEndTest extends PipelineTest {
    private static final String CONFIGURATION = "conv_configuration_voice_e2e";
    private static final String STORE = "mem_store_voice_e2e";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SimpleMeterRegistry METERS = new SimpleMeterRegistry();
    private static IngressService orchestrated;

    @BeforeAll
    static void startOrchestratedIngress() throws Exception {
        twilio.addConfiguration(CONFIGURATION, STORE);
        // outbound in orchestrated mode: reads the store id from the configuration at start
        pipeline.restartOutbound(Map.of("TWILIO_CONVERSATION_CONFIGURATION_ID", CONFIGURATION));
        Map<String, String> env = new HashMap<>(pipeline.stack.env());
        env.put("INGRESS_INSTANCE_ID", "1");
        env.put("PORT", "0");
        env.put("TWILIO_CONVERSATION_CONFIGURATION_ID", CONFIGURATION);
        env.put("TWILIO_API_KEY", "SK00000000000000000000000000000e2e");
        env.put("TWILIO_API_SECRET", "e2e-api-secret");
        // 6 tries (about 4.75 s) keep the never-found case short; the schedule itself is TAC's
        env.put("SWITCHBOARD_VOICE_LOOKUP_ATTEMPTS", "6");
        orchestrated = new IngressService(IngressConfig.fromEnv(env), pipeline.vertx, METERS);
        orchestrated.start();
    }

    @AfterAll
    static void stopOrchestratedIngress() throws Exception {
        if (orchestrated != null) {
            orchestrated.close();
        }
        pipeline.restartOutbound();
    }

    private static String newCallSid() {
        return "CA" + UUID.randomUUID().toString().replace("-", "");
    }

    private static String id(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "");
    }

    private static RelayClient call() {
        return RelayClient.connect(pipeline.vertx, orchestrated.port(), Pipeline.AUTH_TOKEN);
    }

    private static OrchestratedCall orchestrate(String callSid, String profileId, Listing listing) {
        return twilio.orchestrateCall(CONFIGURATION, callSid, TwilioWebhooks.CUSTOMER, TwilioWebhooks.AGENT_NUMBER,
                profileId, listing);
    }

    private static Message awaitMessage(String text) {
        await().atMost(TIMEOUT).until(() -> pipeline.messages.stream().anyMatch(m -> m.text().equals(text)));
        return pipeline.messages.stream().filter(m -> m.text().equals(text)).findFirst().orElseThrow();
    }

    @Test
    void aCallJoinsItsOrchestratorConversationWithTheCustomersProfileMemoryClosedAndIntelligence() {
        String callSid = newCallSid();
        String profile = id("mem_profile_");
        OrchestratedCall conversation = orchestrate(callSid, profile, Listing.fromPoll(3));
        String text = "hello " + callSid;
        try (RelayClient call = call()) {
            call.setup(callSid).prompt(text);
            Message message = awaitMessage(text);

            // the first polls found nothing, the third did; the agent event is keyed by the Orchestrator id
            assertThat(twilio.listPolls(callSid)).isGreaterThanOrEqualTo(3);
            assertThat(pipeline.conversationOf.get(message.messageId())).isEqualTo(conversation.conversationId());
            assertThat(pipeline.sessionOf.get(message.messageId()).profileId()).isEqualTo(profile);
            assertThat(pipeline.memories).as("memory_mode=always for voice").containsKey(message.messageId());
            // egress finds the socket although the reply was produced under the Orchestrator id
            call.awaitFrame(f -> "text".equals(f.getString("type")) && f.getBoolean("last", false));
            assertThat(call.spokenText()).isEqualTo("You said: " + text);

            // Conversation Intelligence results for the Orchestrator id reach the agent
            try (TwilioWebhooks webhooks = pipeline.webhooks()) {
                assertThat(webhooks.postJson("/ci-webhook", TwilioWebhooks.intelligenceEvent(Pipeline.CI_CONFIGURATION,
                        conversation.conversationId(), TwilioWebhooks.operatorResult(id("intelligence_operatorresult_"),
                                Pipeline.CI_OBSERVATION_OPERATOR, profile, new JsonObject().put("observations",
                                        new JsonArray().add(new JsonObject().put("content", "Calls about billing"))))))
                        .status()).isEqualTo(200);
                await().atMost(TIMEOUT).until(() -> pipeline.intelligence.stream()
                        .anyMatch(r -> r.conversationId().equals(conversation.conversationId())));

                // the caller hangs up: the orchestrated conversation stays open until CLOSED, which ends it once
                call.close();
                assertThat(webhooks.postJson("/webhook", TwilioWebhooks.conversationUpdated(conversation.conversationId(),
                        "CLOSED")).status()).isEqualTo(200);
            }
            await().atMost(TIMEOUT).until(() -> !pipeline.endedFor(conversation.conversationId()).isEmpty());
            assertThat(pipeline.endedFor(conversation.conversationId())).singleElement()
                    .satisfies(e -> assertThat(e.ended().reason()).isEqualTo(EndReason.CLOSED));
            assertThat(pipeline.endedFor(callSid)).isEmpty();
        }
    }

    @Test
    void promptsSentBeforeTheLookupFinishesAreDeliveredOnceUnderTheResolvedIdInOrder() throws Exception {
        String callSid = newCallSid();
        OrchestratedCall conversation = orchestrate(callSid, null, Listing.after(Duration.ofMillis(1_200)));
        String first = "first " + callSid;
        String second = "second " + callSid;
        try (RelayClient call = call()) {
            call.setup(callSid).prompt(first).prompt(second);
            awaitMessage(second);
            Thread.sleep(500); // a duplicate would come right behind
            List<Message> got = pipeline.messages.stream().filter(m -> m.text().endsWith(callSid)).toList();
            assertThat(got).extracting(Message::text).containsExactly(first, second);
            assertThat(got).allSatisfy(m -> assertThat(pipeline.conversationOf.get(m.messageId()))
                    .isEqualTo(conversation.conversationId()));
            assertThat(twilio.listPolls(callSid)).isGreaterThan(1);
        }
    }

    @Test
    void aCallWhoseConversationIsNeverListedGoesOnUnderItsCallSid() {
        String callSid = newCallSid();
        orchestrate(callSid, null, Listing.never());
        double before = METERS.counter("switchboard.ingress.voice.lookups", "result", "not_found").count();
        String text = "anyone there " + callSid;
        try (RelayClient call = call()) {
            call.setup(callSid).prompt(text);
            Message message = awaitMessage(text);
            assertThat(pipeline.conversationOf.get(message.messageId())).isEqualTo(callSid);
            assertThat(twilio.listPolls(callSid)).isEqualTo(6);
            assertThat(METERS.counter("switchboard.ingress.voice.lookups", "result", "not_found").count())
                    .isEqualTo(before + 1);
            call.awaitFrame(f -> "text".equals(f.getString("type")) && f.getBoolean("last", false));
            assertThat(call.spokenText()).isEqualTo("You said: " + text);
        }
    }

    @Test
    void aHandoffReleasesTheConversationAndStudioGetsTacsHandoffDataFromTheActionRequest() throws Exception {
        String callSid = newCallSid();
        String profile = id("mem_profile_");
        OrchestratedCall conversation = orchestrate(callSid, profile, Listing.fromPoll(2));
        String action;
        try (TwilioWebhooks webhooks = new TwilioWebhooks(pipeline.vertx, orchestrated.port(), Pipeline.AUTH_TOKEN)) {
            TwilioWebhooks.Response twiml = webhooks.postForm("/twiml", TwilioWebhooks.incomingCall(callSid));
            assertThat(twiml.status()).isEqualTo(200);
            action = actionOf(twiml.body());
        }
        assertThat(action).isEqualTo("https://webhooks.twilio.com/v1/Accounts/" + TwilioWebhooks.ACCOUNT_SID + "/Flows/"
                + Pipeline.HANDOFF_FLOW + "?Trigger=incomingCall");

        JsonObject end;
        try (RelayClient call = call()) {
            call.setup(callSid).prompt("hand me off");
            end = call.awaitFrame(f -> "end".equals(f.getString("type")));
            assertThat(call.spokenText()).isEqualTo("Connecting you to a person");
        }
        List<Recorded> released = twilio.requests("^/v2/Conversations/" + conversation.conversationId() + "$");
        assertThat(released).extracting(Recorded::method).containsExactly("PUT", "PATCH");
        assertThat(released.get(0).json().path("status").asText()).isEqualTo("INACTIVE");
        assertThat(released.get(1).json().at("/configuration/statusCallbacks")).isEmpty();

        JsonNode data = JSON.readTree(end.getString("handoffData"));
        assertThat(data.path("conversationId").asText()).isEqualTo(conversation.conversationId());
        assertThat(data.path("storeId").asText()).isEqualTo(STORE);
        assertThat(data.path("profileId").asText()).isEqualTo(profile);
        assertThat(data.at("/attributes/reason").asText()).isEqualTo("customer asked for a human");
        assertThat(data.at("/attributes/department").asText()).isEqualTo("billing");

        // Twilio, after the end frame: the action request, with HandoffData, to the action URL (Studio's webhook)
        HttpResponse<String> studio = postActionRequest(action, TwilioWebhooks.relayCallback(callSid, "ended",
                end.getString("handoffData")));
        assertThat(studio.statusCode()).isEqualTo(200);
        assertThat(studio.body()).contains("<Response>");
        assertThat(twilio.studioVoiceRequests(Pipeline.HANDOFF_FLOW))
                .filteredOn(r -> callSid.equals(r.form().get("CallSid"))).singleElement().satisfies(r -> {
                    assertThat(r.queryParam("Trigger")).isEqualTo("incomingCall");
                    assertThat(JSON.readTree(r.form().get("HandoffData"))).isEqualTo(data);
                });
    }

    @Test
    void withoutAStudioFlowTheActionIsTheRelayCallback() throws Exception {
        Map<String, String> env = new HashMap<>(pipeline.stack.env());
        env.remove("TWILIO_STUDIO_HANDOFF_FLOW_SID");
        env.put("INGRESS_INSTANCE_ID", "1");
        env.put("PORT", "0");
        env.put("TWILIO_CONVERSATION_CONFIGURATION_ID", CONFIGURATION);
        IngressService noFlow = new IngressService(IngressConfig.fromEnv(env), pipeline.vertx, new SimpleMeterRegistry());
        noFlow.start();
        try (TwilioWebhooks webhooks = new TwilioWebhooks(pipeline.vertx, noFlow.port(), Pipeline.AUTH_TOKEN)) {
            String body = webhooks.postForm("/twiml", TwilioWebhooks.incomingCall(newCallSid())).body();
            assertThat(actionOf(body)).isEqualTo("https://" + pipeline.stack.env().get("TWILIO_VOICE_PUBLIC_DOMAIN")
                    + "/conversation-relay-callback");
        } finally {
            noFlow.close();
        }
    }

    private static String actionOf(String twiml) {
        Matcher m = Pattern.compile("<Connect action=\"([^\"]+)\"").matcher(twiml);
        assertThat(m.find()).as("a <Connect action> in %s", twiml).isTrue();
        return m.group(1).replace("&amp;", "&");
    }

    /** Posts the form to {@code action} as Twilio would, at the fake (which serves every Twilio host). */
    private static HttpResponse<String> postActionRequest(String action, Map<String, String> form) throws Exception {
        URI uri = URI.create(action);
        String body = form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(URI.create(twilio.baseUrl() + uri.getRawPath() + "?" + uri.getRawQuery()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }
}
