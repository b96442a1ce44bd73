package io.switchboard.ingress.voice;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CallbackTwimlTest {
    private static final String DATA = "{\"conversationId\":\"CA1\",\"attributes\":{\"reason\":\"human\"}}";

    @Test
    void aCallbackWithoutHandoffDataEndsTheCallWhateverIsConfigured() {
        assertThat(new CallbackTwiml("support", "+15550001111").answer(null))
                .isEqualTo("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>");
    }

    @Test
    void aHandoffIsEnqueuedOrDialledAndNeverRedirected() {
        assertThat(new CallbackTwiml("support", "+15550001111").answer(DATA))
                .contains("<Enqueue>support</Enqueue>").doesNotContain("<Dial").doesNotContain("<Redirect");
        assertThat(new CallbackTwiml(" ", "+15550001111").answer(DATA))
                .contains("<Dial>+15550001111</Dial>").doesNotContain("<Redirect");
    }

    @Test
    void aHandoffWithoutAnyRouteEndsTheCall() {
        assertThat(CallbackTwiml.hangUp().answer(DATA)).isEqualTo("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>");
    }
}
