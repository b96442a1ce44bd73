package io.switchboard.ingress;

import io.switchboard.ingress.twiml.CallRequest;
import io.switchboard.ingress.twiml.RelayOptions;
import io.switchboard.ingress.twiml.TwimlCustomizer;

/**
 * The customizer ingress's tests register through {@code META-INF/services}: it acts only on calls whose webhook URL
 * carries {@code customizer=…}, so every other test's TwiML stays as the settings and rules make it.
 */
public final class TestTwimlCustomizer implements TwimlCustomizer {
    @Override
    public RelayOptions customize(CallRequest call, RelayOptions options) {
        String mode = call.parameter("customizer");
        if (mode == null) {
            return options;
        }
        if (mode.equals("fail")) {
            throw new IllegalStateException("a customizer bug");
        }
        // e.g. a greeting for the caller's city, chosen in code
        return options.with("welcomeGreeting", "Hello " + call.parameter("CallerCity") + "!")
                .with("hints", call.callerCountry() + " " + call.to());
    }
}
