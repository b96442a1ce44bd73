package io.switchboard.ingress.voice;

import com.twilio.twiml.VoiceResponse;
import com.twilio.twiml.voice.Connect;
import com.twilio.twiml.voice.ConversationRelay;
import com.twilio.twiml.voice.Parameter;
import io.switchboard.ingress.IngressConfig;
import io.switchboard.ingress.http.Forms;
import io.switchboard.ingress.http.SignatureCheck;
import io.switchboard.ingress.twiml.CallRequest;
import io.switchboard.ingress.twiml.RelayOptions;
import io.switchboard.ingress.twiml.TwimlCustomizer;
import io.switchboard.ingress.twiml.TwimlText;
import io.switchboard.logging.Redaction;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /twiml} (its path is {@code TWILIO_VOICE_TWIML_PATH}): Twilio asks what to do with a call; the answer
 * connects it to ConversationRelay on this service's WebSocket, with the call's From/To/CallSid and TAC's well-known
 * custom parameters as {@code <Parameter>}s, and sets the {@code <Connect action>} Twilio calls when the relay session
 * ends ({@link #actionUrl}). The relay's attributes are the {@code TWILIO_VOICE_*} settings, changed for this call by
 * the TwiML rules and the {@link TwimlCustomizer}s; an attribute none of them sets is not emitted.
 */
public final class TwimlHandler implements Handler<RoutingContext> {
    private static final Logger log = LoggerFactory.getLogger(TwimlHandler.class);
    /** TAC's well-known custom parameters, passed through when the request carries them. */
    static final List<String> WELL_KNOWN = List.of("conversationId", "profileId", "customerParticipantId", "aiAgentParticipantId");

    private final IngressConfig config;
    private final List<TwimlCustomizer> customizers;

    /**
     * Serves requests the route's signature gate ({@link io.switchboard.ingress.http.SignedRoute#form}) let through;
     * {@code customizers} run for every call, in order.
     */
    public TwimlHandler(IngressConfig config, List<TwimlCustomizer> customizers) {
        this.config = config;
        this.customizers = List.copyOf(customizers);
    }

    /** Without customizers. */
    public TwimlHandler(IngressConfig config) {
        this(config, List.of());
    }

    /**
     * For callers that only build TwiML ({@link #twiml}); the signature is no longer this handler's to check.
     * @deprecated use {@link #TwimlHandler(IngressConfig)} behind a {@link io.switchboard.ingress.http.SignedRoute}
     */
    @Deprecated
    public TwimlHandler(IngressConfig config, SignatureCheck unused) {
        this(config);
    }

    @Override
    public void handle(RoutingContext ctx) {
        Map<String, String> form = Forms.params(ctx);
        String callSid = form.get("CallSid");
        if (callSid == null || callSid.isBlank()) {
            ctx.response().setStatusCode(400).end("CallSid is required");
            return;
        }
        Map<String, String> query = Forms.query(ctx);
        String domain = config.publicDomain().orElseGet(() -> Forms.publicHost(ctx.request()));
        log.info("Call {} from {} to {}: connecting to ConversationRelay", callSid,
                Redaction.mask(form.get("From")), Redaction.mask(form.get("To")));
        ctx.response().putHeader("Content-Type", "text/xml").end(twiml(domain, form, query));
    }

    String twiml(String domain, Map<String, String> form, Map<String, String> query) {
        Map<String, String> parameters = new HashMap<>(query);
        parameters.putAll(form);
        CallRequest call = new CallRequest(parameters);
        ConversationRelay.Builder relay = new ConversationRelay.Builder()
                .url("wss://" + domain + config.websocketPath());
        options(call).applyTo(relay);
        config.conversationConfigurationId().ifPresent(id -> relay.option("conversationConfiguration", id));
        for (String name : List.of("From", "To", "CallSid")) {
            parameter(relay, name, form.get(name));
        }
        for (String name : WELL_KNOWN) {
            parameter(relay, name, form.getOrDefault(name, query.get(name)));
        }
        Connect.Builder connect = new Connect.Builder().conversationRelay(relay.build())
                .action(actionUrl(domain));
        return new VoiceResponse.Builder().connect(connect.build()).build().toXml();
    }

    /** The settings' options, changed by the matching rules, then by each customizer in turn. */
    private RelayOptions options(CallRequest call) {
        RelayOptions options = config.twimlRules().apply(call, config.relayOptions());
        for (TwimlCustomizer customizer : customizers) {
            try {
                options = Objects.requireNonNull(customizer.customize(call, options), "customize returned null");
            } catch (RuntimeException e) {
                log.error("TwiML customizer {} failed for call {}; the call goes on without it", customizer.getClass().getName(),
                        call.callSid(), e);
            }
        }
        return options;
    }

    /**
     * The {@code <Connect action>}, in both modes, as TAC ({@code _resolve_action_url}, server.ts): the Studio flow's
     * voice webhook when {@code TWILIO_STUDIO_HANDOFF_FLOW_SID} is set, so the request Twilio makes after an
     * {@code end} frame, which carries {@code HandoffData}, reaches Studio itself; else the relay callback.
     */
    String actionUrl(String domain) {
        String flow = config.twilio().studioHandoffFlowSid();
        return flow != null ? studioVoiceUrl(config.twilio().accountSid(), flow) : "https://" + domain + config.actionPath();
    }

    /** TAC's Studio voice webhook of a flow. */
    static String studioVoiceUrl(String accountSid, String flowSid) {
        return "https://webhooks.twilio.com/v1/Accounts/" + accountSid + "/Flows/" + flowSid + "?Trigger=incomingCall";
    }

    /** A custom parameter, unless blank or not XML text (it would make the whole answer invalid: the call would fail). */
    private static void parameter(ConversationRelay.Builder relay, String name, String value) {
        if (value != null && !value.isBlank() && !TwimlText.isXmlText(value)) {
            log.warn("Custom parameter {} left out of the TwiML: it holds a control character", name);
            return;
        }
        if (value != null && !value.isBlank()) {
            relay.parameter(new Parameter.Builder().name(name).value(value).build());
        }
    }
}
