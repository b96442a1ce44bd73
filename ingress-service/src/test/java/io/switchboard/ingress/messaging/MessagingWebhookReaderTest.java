package io.switchboard.ingress.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.events.ConversationStatus;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.inbound.ConversationStateChanged;
import io.switchboard.events.inbound.MessageReceived;
import io.switchboard.ingress.http.MalformedInput;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MessagingWebhookReaderTest {
    private final MessagingWebhook reader = new MessagingWebhook(List.of("+15550000000"), "conv_configuration_1");

    private Optional<InboundEvent> orchestrator(String json) {
        return reader.orchestrator(json.getBytes(StandardCharsets.UTF_8), null);
    }

    private static String created(String author) {
        return "{\"eventType\":\"COMMUNICATION_CREATED\",\"data\":{\"id\":\"comms_1\",\"conversationId\":\"conv_1\","
                + "\"author\":{\"channel\":\"SMS\",\"address\":\"" + author + "\",\"participantId\":\"p_1\"},"
                + "\"content\":{\"text\":\"hello\"},\"recipients\":[{\"address\":\"+15550000000\"}]}}";
    }

    @Test
    void aCustomerCommunicationBecomesAMessageAndTheAgentsOwnIsNotActedOn() {
        InboundEvent event = orchestrator(created("+15551112222")).orElseThrow();
        assertThat(event.getConversationId().toString()).isEqualTo("conv_1");
        MessageReceived message = (MessageReceived) event.getPayload();
        assertThat(message.getText().toString()).isEqualTo("hello");
        assertThat(message.getRecipientAddress().toString()).isEqualTo("+15550000000");
        assertThat(orchestrator(created("+15550000000"))).isEmpty();
    }

    @Test
    void aConversationsV1StateUpdateBecomesAStateChange() {
        InboundEvent event = reader.conversationsV1Form(Map.of("EventType", "onConversationStateUpdated",
                "ConversationSid", "CH1", "StateFrom", "active", "StateTo", "closed"), "token_1").orElseThrow();
        ConversationStateChanged changed = (ConversationStateChanged) event.getPayload();
        assertThat(changed.getStatus()).isEqualTo(ConversationStatus.CLOSED);
        assertThat(changed.getPreviousStatus()).isEqualTo(ConversationStatus.ACTIVE);
    }

    @Test
    void malformedBodiesAreMalformedInputWithAPublicReason() {
        assertThatThrownBy(() -> orchestrator("{not json")).isInstanceOf(MalformedInput.class);
        assertThatThrownBy(() -> orchestrator("{\"eventType\":\"COMMUNICATION_CREATED\",\"data\":[]}"))
                .isInstanceOf(MalformedInput.class).extracting(e -> ((MalformedInput) e).publicReason())
                .isEqualTo("data must be an object");
        assertThatThrownBy(() -> reader.conversationsV1Form(Map.of("Body", "hi"), null))
                .isInstanceOf(MalformedInput.class).hasMessage("EventType is required");
    }
}
