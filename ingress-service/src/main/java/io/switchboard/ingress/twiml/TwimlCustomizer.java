package io.switchboard.ingress.twiml;

/**
 * Code that chooses one call's ConversationRelay options from its request, as TAC's {@code on_inbound_call_twiml}.
 * Ingress finds implementations with {@link java.util.ServiceLoader} at start: a jar on ingress's class path with
 * {@code META-INF/services/io.switchboard.ingress.twiml.TwimlCustomizer} naming the class (public, with a public
 * no-argument constructor). Several run one after the other, ordered by class name, each getting the options the
 * previous one returned; the first gets the options the settings and the TwiML rules chose.
 *
 * <p>Runs on ingress's event loop for every call: it must not block (no I/O); a customizer that throws is logged and
 * skipped for that call, which goes on with the options it was given.
 */
public interface TwimlCustomizer {
    /** The options for {@code call}: {@code options} changed, or as they are. */
    RelayOptions customize(CallRequest call, RelayOptions options);
}
