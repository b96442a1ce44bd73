package io.switchboard.ingress.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.switchboard.events.InboundEvent;
import io.switchboard.ingress.http.MalformedInput;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.serde.EmbeddedAvroSerde;
import io.switchboard.testkit.FuzzInputs;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The messaging webhook readers on any input: the Orchestrator JSON body as raw bytes, the Conversations v1 form as
 * {@code name=value} lines. Each input ends as an event that survives the topic's encode → decode unchanged, as
 * "not acted on", or as {@link MalformedInput} (a 400) with a reason fit for the caller; never another exception
 * (a 500), within 5 s and {@link FuzzInputs#DEFAULT_ALLOCATION_LIMIT}. Committed inputs:
 * {@code src/test/resources/io/switchboard/ingress/messaging/MessagingWebhookFuzzTestInputs/}.
 */
class MessagingWebhookFuzzTest {
    private static final MessagingWebhook READER = new MessagingWebhook(
            List.of(TwilioWebhooks.AGENT_NUMBER, TwilioWebhooks.agentAddress("WHATSAPP")), "conf_fuzz");
    private static final EmbeddedAvroSerde<InboundEvent> SERDE = new EmbeddedAvroSerde<>(InboundEvent.class);

    @FuzzTest
    void orchestratorJson(byte[] body) {
        read(() -> READER.orchestrator(body, null));
    }

    @FuzzTest
    void conversationsV1Form(byte[] lines) {
        read(() -> READER.conversationsV1Form(FuzzInputs.form(lines), null));
    }

    private static void read(Supplier<Optional<InboundEvent>> reader) {
        Optional<InboundEvent> event;
        try {
            event = FuzzInputs.bounded(reader);
        } catch (MalformedInput refused) {
            assertThat(refused.publicReason()).doesNotContain("Exception").doesNotContain("\n");
            return;
        }
        event.ifPresent(e -> assertThat(SERDE.deserialize("fuzz", SERDE.serialize("fuzz", e))).isEqualTo(e));
    }
}
