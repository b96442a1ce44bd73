package io.switchboard.ingress;

import io.switchboard.config.InvalidConfigurationException;
import io.switchboard.events.InboundEvent;
import io.switchboard.localtwilio.TwilioWebhooks.Signing;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.testkit.RelayClient;
import io.switchboard.testkit.TopicTail;
import io.switchboard.topics.Topic;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SWITCHBOARD_INSECURE_SKIP_SIGNATURE: off (the default), an unsigned request gets 403 on every signed route; on with
 * the dev account SID, the same requests are accepted; on with a real-looking account SID, the start is refused.
 */
class InsecureSkipSignatureTest {
    static final String REAL_LOOKING_SID = "AC" + "0123456789abcdef".repeat(2);

    static Vertx vertx;
    static IngressFixture checked;
    static IngressFixture skipping;
    static TopicTail<InboundEvent> inbound;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        inbound = new TopicTail<>(Topic.INBOUND);
        checked = new IngressFixture(vertx, 0, Map.of());
        skipping = new IngressFixture(vertx, 1, Map.of(IngressConfig.INSECURE_SKIP_SIGNATURE, "true"));
    }

    @AfterAll
    static void stop() throws Exception {
        skipping.close();
        checked.close();
        inbound.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    static String id(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "");
    }

    @Test
    void withoutTheFlagUnsignedRequestsGet403OnEverySignedRoute() {
        String conversation = id("conv_");
        assertThat(checked.twilio.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation,
                id("comms_"), TwilioWebhooks.CUSTOMER, "hi"), Signing.NONE, Map.of()).status()).isEqualTo(403);
        assertThat(checked.twilio.postForm("/twiml", TwilioWebhooks.incomingCall(id("CA")), Signing.NONE, Map.of())
                .status()).isEqualTo(403);
        assertThat(checked.twilio.postForm("/conversation-relay-callback",
                TwilioWebhooks.relayCallback(id("CA"), "completed", null), Signing.NONE, Map.of()).status()).isEqualTo(403);
        assertThatThrownBy(() -> RelayClient.connect(vertx, checked.port(), "/ws", IngressFixture.TOKEN,
                RelayClient.Signing.NONE))
                .isInstanceOfSatisfying(RelayClient.Refused.class, e -> assertThat(e.status()).isEqualTo(403));
        assertThat(inbound.values(conversation)).isEmpty();
    }

    @Test
    void withTheFlagAndTheDevAccountUnsignedRequestsAreAcceptedOnEverySignedRoute() {
        String conversation = id("conv_");
        assertThat(skipping.twilio.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation,
                id("comms_"), TwilioWebhooks.CUSTOMER, "hi"), Signing.NONE, Map.of()).status()).isEqualTo(200);
        assertThat(inbound.awaitValues(conversation, 1)).hasSize(1);
        assertThat(skipping.twilio.postForm("/twiml", TwilioWebhooks.incomingCall(id("CA")), Signing.FORGED, Map.of())
                .status()).isEqualTo(200);
        String ended = id("CA");
        assertThat(skipping.twilio.postForm("/conversation-relay-callback",
                TwilioWebhooks.relayCallback(ended, "completed", null), Signing.NONE, Map.of()).status()).isEqualTo(200);
        assertThat(inbound.awaitValues(ended, 1)).hasSize(1);
        String callSid = id("CA");
        try (RelayClient call = RelayClient.connect(vertx, skipping.port(), "/ws", IngressFixture.TOKEN,
                RelayClient.Signing.NONE)) {
            call.setup(callSid);
            assertThat(inbound.awaitValues(callSid, 1)).hasSize(1);
        }
    }

    @Test
    void theFlagIsRefusedAtStartWithARealAccountSid() {
        Map<String, String> env = new java.util.HashMap<>(IngressFixture.baseEnv(0));
        env.put("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
        env.put(IngressConfig.ACCOUNT_SID, REAL_LOOKING_SID);
        env.put(IngressConfig.INSECURE_SKIP_SIGNATURE, "true");
        assertThatThrownBy(() -> IngressConfig.fromEnv(env)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining(IngressConfig.INSECURE_SKIP_SIGNATURE).hasMessageContaining(IngressConfig.ACCOUNT_SID)
                .hasMessageNotContaining(REAL_LOOKING_SID);
        // The same account without the flag starts, as does the flag with the dev placeholder.
        env.remove(IngressConfig.INSECURE_SKIP_SIGNATURE);
        assertThat(IngressConfig.fromEnv(env).insecureSkipSignature()).isFalse();
        env.put(IngressConfig.INSECURE_SKIP_SIGNATURE, "true");
        env.put(IngressConfig.ACCOUNT_SID, IngressConfig.DEV_ACCOUNT_SID);
        assertThat(IngressConfig.fromEnv(env).insecureSkipSignature()).isTrue();
    }
}
