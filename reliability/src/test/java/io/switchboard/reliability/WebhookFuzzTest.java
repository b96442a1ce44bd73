package io.switchboard.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.testkit.FuzzInputs;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Whatever a correctly signed caller sends to a running ingress, it answers 200, 400 or 413 — never a 5xx, never a
 * stack trace — and a refused body produces no record on tac.inbound.v1 / tac.ci.v1 (an accepted one at most one).
 * The whole path: HTTP server, body limit, signature gate, reader, Kafka producer. Inputs: JSON bodies as raw
 * bytes, forms as {@code name=value} lines; committed under {@code WebhookFuzzTestInputs/} (valid Twilio payloads,
 * each field of another JSON type or removed, truncated, duplicate keys, bad UTF-8). Coverage-guided fuzzing:
 * {@code fuzz/fuzz.sh} (README, Reliability).
 */
class WebhookFuzzTest {
    static IngressUnderTest ingress;

    @BeforeAll
    static void start() throws Exception {
        ingress = new IngressUnderTest(Map.of());
    }

    @AfterAll
    static void stop() {
        ingress.close();
    }

    @FuzzTest
    void anySignedJsonBody(byte[] body) {
        long before = ingress.producedRecords();
        assertClearAnswer(ingress.postSignedJson("/webhook", body), before);
    }

    @FuzzTest
    void anySignedIntelligenceBody(byte[] body) {
        long before = ingress.producedRecords();
        assertClearAnswer(ingress.postSignedJson("/ci-webhook", body), before);
    }

    @FuzzTest
    void anySignedForm(byte[] lines) {
        Map<String, String> form = FuzzInputs.twilioForm(lines);
        long before = ingress.producedRecords();
        assertClearAnswer(ingress.postSignedForm("/webhook", form,
                TwilioWebhooks.encode(form).getBytes(StandardCharsets.UTF_8)), before);
    }

    private static void assertClearAnswer(IngressUnderTest.Answer answer, long producedBefore) {
        assertThat(answer.status()).isIn(200, 400, 413);
        HostileWebhookTest.assertNoStackTrace(answer.body());
        assertThat(ingress.producedRecords() - producedBefore).isLessThanOrEqualTo(answer.status() == 200 ? 1 : 0);
    }
}
