package io.switchboard.ingress.voice;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CallbackTwimlTest {
    private static final String DATA = "{\"conversationId\":\"CA1\",\"attributes\":{\"reason\":\"human\"}}";

    @Test
    void aCallbackWithoutHandoffDataEndsTheCallWhateverIsConfigured() {
        assertThat(new CallbackTwiml("AC1", "FW1", "support", "+15550001111").answer(null))
                .isEqualTo("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>");
    }

    @Test
    void aHandoffGoesToTheStudioFlowFirst() {
        assertThat(new CallbackTwiml("AC1", "FW1", "support", "+15550001111").answer(DATA)).isEqualTo(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Redirect method=\"POST\">"
                        + "https://webhooks.twilio.com/v1/Accounts/AC1/Flows/FW1?Trigger=incomingCall</Redirect></Response>");
    }

    @Test
    void withoutAFlowAHandoffIsEnqueuedOrDialled() {
        assertThat(new CallbackTwiml("AC1", null, "support", "+15550001111").answer(DATA))
                .contains("<Enqueue>support</Enqueue>").doesNotContain("<Dial");
        assertThat(new CallbackTwiml("AC1", " ", null, "+15550001111").answer(DATA))
                .contains("<Dial>+15550001111</Dial>");
    }

    @Test
    void aHandoffWithoutAnyRouteEndsTheCall() {
        assertThat(CallbackTwiml.hangUp().answer(DATA)).isEqualTo("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>");
    }
}
