package io.switchboard.ingress.intelligence;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.switchboard.events.IntelligenceEvent;
import io.switchboard.ingress.http.MalformedInput;
import io.switchboard.serde.EmbeddedAvroSerde;
import io.switchboard.testkit.FuzzInputs;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * The Conversation Intelligence reader on any body, in the handler's order (body, configuration id, the rest):
 * an event that survives tac.ci.v1's encode → decode unchanged, or {@link MalformedInput} (a 400) with a reason fit
 * for the caller; never another exception, within 5 s and {@link FuzzInputs#DEFAULT_ALLOCATION_LIMIT}.
 */
class IntelligenceWebhookFuzzTest {
    private static final EmbeddedAvroSerde<IntelligenceEvent> SERDE = new EmbeddedAvroSerde<>(IntelligenceEvent.class);

    @FuzzTest
    void intelligenceJson(byte[] body) {
        IntelligenceEvent event;
        try {
            event = FuzzInputs.bounded(() -> {
                JsonObject json = IntelligenceWebhook.body(body);
                String configurationId = IntelligenceWebhook.configurationId(json);
                IntelligenceEvent parsed = IntelligenceWebhook.parse(json, Instant.EPOCH);
                assertThat(parsed.getConfiguration().getId()).isEqualTo(configurationId);
                return parsed;
            });
        } catch (MalformedInput refused) {
            assertThat(refused.publicReason()).doesNotContain("Exception").doesNotContain("\n");
            return;
        }
        assertThat(SERDE.deserialize("fuzz", SERDE.serialize("fuzz", event))).isEqualTo(event);
    }
}
