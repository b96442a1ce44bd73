package io.switchboard.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.switchboard.localtwilio.FakeTwilioApi.Reply;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.router.RouterConfig;
import io.switchboard.testkit.RelayClient;
import io.switchboard.tracing.Messaging;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * One turn is one trace across every service (dev's in-process tracing): the span tree of an SMS turn and of a voice
 * turn, with the parent links through each Kafka topic intact — also when Twilio refused the reply once (the retry is
 * an event on the Twilio span) and when the router restarted while a message waited for its memory.
 */
class TracingEndToEndTest extends PipelineTest {
    private static String id(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "");
    }

    /** The whole trace of the span that started a conversation's turn, once {@code last} has ended in it. */
    private static List<SpanData> traceOf(String conversationId, String rootName, String last) {
        return await().atMost(TIMEOUT).until(() -> {
            Optional<SpanData> root = pipeline.stack.spans().matching(s -> s.getName().equals(rootName)
                    && conversationId.equals(s.getAttributes().get(Messaging.CONVERSATION_ID))).stream().findFirst();
            return root.map(r -> pipeline.stack.spans().trace(r.getTraceId())).orElse(List.of());
        }, spans -> spans.stream().anyMatch(s -> s.getName().equals(last)));
    }

    private static SpanData one(List<SpanData> trace, String name) {
        List<SpanData> named = trace.stream().filter(s -> s.getName().equals(name)).toList();
        assertThat(named).as("spans named %s in %s", name, names(trace)).hasSize(1);
        return named.get(0);
    }

    private static SpanData parentOf(List<SpanData> trace, SpanData span) {
        Map<String, SpanData> byId = trace.stream().collect(Collectors.toMap(SpanData::getSpanId, Function.identity()));
        SpanData parent = byId.get(span.getParentSpanId());
        assertThat(parent).as("parent of %s in %s", span.getName(), names(trace)).isNotNull();
        return parent;
    }

    private static List<String> names(List<SpanData> trace) {
        return trace.stream().map(SpanData::getName).toList();
    }

    /** The messaging chain ingress → router → agent, common to every channel. */
    private static SpanData assertInboundChain(List<SpanData> trace, String rootName, String conversation) {
        SpanData root = one(trace, rootName);
        assertThat(root.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(root.getParentSpanContext().isValid()).isFalse();
        SpanData send = one(trace, "send tac.inbound.v1");
        assertThat(send.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(parentOf(trace, send)).isEqualTo(root);
        assertThat(send.getAttributes().get(Messaging.SYSTEM)).isEqualTo("kafka");
        assertThat(send.getAttributes().get(Messaging.OFFSET)).isNotNull();
        SpanData routed = one(trace, "process tac.inbound.v1");
        assertThat(routed.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(parentOf(trace, routed)).isEqualTo(send);
        assertThat(routed.getAttributes().get(Messaging.CONVERSATION_ID)).isEqualTo(conversation);
        assertThat(routed.getAttributes().get(Messaging.GROUP)).isNotBlank();
        SpanData agent = one(trace, "process tac.agent.v1");
        assertThat(parentOf(trace, agent)).isEqualTo(routed);
        assertThat(agent.getAttributes().get(Messaging.GROUP)).isEqualTo("e2e-agent");
        SpanData handler = one(trace, "handle message");
        assertThat(parentOf(trace, handler)).isEqualTo(agent);
        List<SpanData> replies = trace.stream().filter(s -> s.getName().equals("send tac.outbound.v1")).toList();
        assertThat(replies).isNotEmpty().allSatisfy(reply -> assertThat(parentOf(trace, reply)).isEqualTo(handler));
        List<SpanData> sent = trace.stream().filter(s -> s.getName().equals("process tac.outbound.v1")).toList();
        assertThat(sent).isNotEmpty().allSatisfy(s -> assertThat(replies).contains(parentOf(trace, s)));
        return handler;
    }

    /** No span carries a phone number or what the customer said. */
    private static void assertNoPersonalData(List<SpanData> trace, String... secrets) {
        for (SpanData span : trace) {
            String attributes = span.getAttributes().toString() + span.getEvents();
            for (String secret : secrets) {
                assertThat(attributes).as("attributes of %s", span.getName()).doesNotContain(secret);
            }
        }
    }

    @Test
    void anSmsTurnIsOneTraceFromTheWebhookToTwilio() {
        String conversation = "conv_conversation_" + id("");
        try (TwilioWebhooks webhooks = pipeline.webhooks()) {
            assertThat(webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation, id("comm_"),
                    TwilioWebhooks.CUSTOMER, "where is my parcel")).status()).isEqualTo(200);
        }
        List<SpanData> trace = traceOf(conversation, "POST /webhook", "POST Twilio message");

        assertInboundChain(trace, "POST /webhook", conversation);
        SpanData webhook = one(trace, "POST /webhook");
        assertThat(webhook.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200L);
        assertThat(webhook.getAttributes().get(Messaging.CHANNEL)).isEqualTo("SMS");
        SpanData twilioCall = one(trace, "POST Twilio message");
        assertThat(twilioCall.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(parentOf(trace, twilioCall).getName()).isEqualTo("process tac.outbound.v1");
        assertThat(twilioCall.getAttributes().get(AttributeKey.longKey("switchboard.twilio.attempts"))).isEqualTo(1L);
        assertThat(twilioCall.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isBetween(200L, 299L);
        assertNoPersonalData(trace, TwilioWebhooks.CUSTOMER, "parcel");
    }

    @Test
    void aVoiceTurnIsOneTraceFromThePromptToTheFrameOnTheSocket() {
        String callSid = "CA" + UUID.randomUUID().toString().replace("-", "");
        try (RelayClient call = RelayClient.connect(pipeline.vertx, pipeline.port, Pipeline.AUTH_TOKEN)) {
            call.setup(callSid).prompt("hello there");
            call.awaitFrame(f -> "text".equals(f.getString("type")) && f.getBoolean("last", false));
        }
        // relay-only: the call SID is the conversation id
        List<SpanData> trace = traceOf(callSid, "ConversationRelay prompt", "process tac.voice.egress.v1");

        SpanData handler = assertInboundChain(trace, "ConversationRelay prompt", callSid);
        SpanData prompt = one(trace, "ConversationRelay prompt");
        assertThat(prompt.getAttributes().get(Messaging.TURN)).isNotNull();
        assertThat(prompt.getAttributes().get(Messaging.CHANNEL)).isEqualTo("VOICE");
        assertThat(handler.getAttributes().get(Messaging.TURN)).isEqualTo(prompt.getAttributes().get(Messaging.TURN));
        List<SpanData> egress = trace.stream().filter(s -> s.getName().equals("send tac.voice.egress.v1")).toList();
        assertThat(egress).isNotEmpty().allSatisfy(s -> assertThat(parentOf(trace, s).getName())
                .isEqualTo("process tac.outbound.v1"));
        List<SpanData> written = trace.stream().filter(s -> s.getName().equals("process tac.voice.egress.v1")).toList();
        assertThat(written).isNotEmpty().allSatisfy(s -> {
            assertThat(egress).contains(parentOf(trace, s));
            assertThat(s.getAttributes().get(AttributeKey.stringKey("switchboard.egress.outcome"))).isEqualTo("written");
        });
        assertNoPersonalData(trace, "hello there");
    }

    @Test
    void aRetriedTwilioCallStaysInTheTurnsTraceWithTheRetryAsAnEvent() {
        String conversation = "conv_conversation_" + id("");
        twilio.respondNext("/v2/Conversations/" + conversation + "/Actions", Reply.status(503));
        try (TwilioWebhooks webhooks = pipeline.webhooks()) {
            webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation, id("comm_"),
                    TwilioWebhooks.CUSTOMER, "try again"));
        }
        List<SpanData> trace = traceOf(conversation, "POST /webhook", "POST Twilio message");

        assertInboundChain(trace, "POST /webhook", conversation);
        SpanData twilioCall = one(trace, "POST Twilio message");
        assertThat(twilioCall.getAttributes().get(AttributeKey.longKey("switchboard.twilio.attempts"))).isEqualTo(2L);
        assertThat(twilioCall.getEvents()).anySatisfy(event -> {
            assertThat(event.getName()).isEqualTo("retry");
            assertThat(event.getAttributes().get(AttributeKey.stringKey("switchboard.retry.status"))).isEqualTo("503");
        });
    }

    @Test
    void aMessageHeldForItsMemoryAcrossARouterRestartStaysInItsTrace() throws Exception {
        // WhatsApp messages wait for the customer's memory (memory_mode always), held in the router's state store
        // while it is fetched. Here the memory service does not answer (a socket that never replies), the router
        // restarts with the message still held, and the new one fetches again from its store and goes on: the
        // turn's trace context came through the store.
        String conversation = "conv_conversation_" + id("");
        ServerSocket silent = new ServerSocket(0);
        try {
            pipeline.restartRouter(Map.of(RouterConfig.MEMORY_URL, "http://127.0.0.1:" + silent.getLocalPort(),
                    RouterConfig.MEMORY_TIMEOUT_MS, "60000"));
            try (TwilioWebhooks webhooks = pipeline.webhooks()) {
                assertThat(webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated("WHATSAPP", conversation,
                        id("comm_"), "whatsapp:" + TwilioWebhooks.CUSTOMER, "status please")).status()).isEqualTo(200);
            }
            await().atMost(TIMEOUT).until(() -> !pipeline.stack.spans().matching(s -> s.getName()
                    .equals("process tac.inbound.v1") && conversation.equals(s.getAttributes()
                    .get(Messaging.CONVERSATION_ID))).isEmpty());
            assertThat(pipeline.conversationOf).doesNotContainValue(conversation); // held: no agent has it yet
        } finally {
            pipeline.restartRouter(); // the silent socket stays open until then: the old router's fetch never ends
            silent.close();
        }
        List<SpanData> trace = traceOf(conversation, "POST /webhook", "POST Twilio message");

        SpanData routed = one(trace, "process tac.inbound.v1");
        assertThat(parentOf(trace, one(trace, "process tac.agent.v1"))).isEqualTo(routed);
        // the fetch of the restarted router, answered, under the span that held the message before the restart
        assertThat(trace).anySatisfy(fetch -> {
            assertThat(fetch.getName()).isEqualTo("POST /memory/retrieve");
            assertThat(fetch.getKind()).isEqualTo(SpanKind.CLIENT);
            assertThat(fetch.getAttributes().get(AttributeKey.stringKey("switchboard.memory.outcome"))).isEqualTo("ok");
            assertThat(parentOf(trace, fetch)).isEqualTo(routed);
        });
        assertInboundChain(trace, "POST /webhook", conversation);
    }
}
