package io.switchboard.ingress.intelligence;

import io.switchboard.events.IntelligenceEvent;
import io.switchboard.ingress.EventPublisher;
import io.switchboard.ingress.WebhookLimit;
import io.switchboard.ingress.http.Forms;
import io.switchboard.ingress.http.MalformedInputHandler;
import io.switchboard.ingress.http.ServerSpans;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * {@code POST /ci-webhook}: Conversation Intelligence operator results (opt-in, served when
 * {@code CONVERSATION_INTELLIGENCE_CONFIGURATION_ID} is set). Signed JSON exactly like {@code /webhook}, behind the
 * same signature gate: 403 without a valid X-Twilio-Signature (bodySHA256 scheme), 400 for a malformed body (read by
 * {@link IntelligenceWebhook}, answered by the route's failure handler with {@link #malformed}), 413 over the body limit. Events of another
 * configuration are answered 200 {@code skipped} and go nowhere; the others are written to tac.ci.v1 and answered 200
 * only once Kafka acknowledged them (503 when it does not in time, so Twilio retries). Answers carry TAC's JSON:
 * {@code {success, event_type, skipped, skip_reason, error, created_count}}, where {@code created_count} counts the
 * operator results accepted (Memory is written from the topic, after the answer).
 */
public final class IntelligenceWebhookHandler implements Handler<RoutingContext> {
    private static final Logger log = LoggerFactory.getLogger(IntelligenceWebhookHandler.class);
    static final String EVENT_TYPE = "operator_results";

    private final EventPublisher<IntelligenceEvent> publisher;
    private final String configurationId;

    public IntelligenceWebhookHandler(EventPublisher<IntelligenceEvent> publisher, String configurationId) {
        this.publisher = publisher;
        this.configurationId = configurationId;
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (!Forms.isJson(ctx)) {
            answer(ctx, 400, failure("Expected application/json"));
            return;
        }
        JsonObject body = IntelligenceWebhook.body(Forms.rawBody(ctx));
        String received = IntelligenceWebhook.configurationId(body);
        if (!received.equals(configurationId)) {
            log.debug("CI event of configuration {} skipped", received);
            answer(ctx, 200, result(true, null, true, "Configuration ID mismatch (expected " + configurationId + ")",
                    null, 0));
            return;
        }
        IntelligenceEvent event = IntelligenceWebhook.parse(body, Instant.now());
        int count = event.getOperatorResults().size();
        if (count == 0) {
            answer(ctx, 200, result(true, null, true, "No operator results", null, 0));
            return;
        }
        ServerSpans.describe(ctx, event.getConversationId(), null);
        publisher.publishWebhook(event, ServerSpans.context(ctx))
                .onSuccess(v -> {
                    withConversation(event, () -> log.info("CI event {}: {} operator result(s) to tac.ci.v1",
                            event.getEventId(), count));
                    answer(ctx, 200, result(true, EVENT_TYPE, false, null, null, count));
                })
                .onFailure(e -> {
                    if (!(e instanceof WebhookLimit.Saturated)) { // shedding is logged once, by the limit
                        withConversation(event, () -> log.warn("CI event {} not acknowledged by Kafka, answering 503: {}",
                                event.getEventId(), e.toString()));
                    }
                    ctx.response().putHeader("Retry-After", "1");
                    answer(ctx, 503, failure("Try again"));
                });
    }

    /** TAC's answer shape. */
    static JsonObject result(boolean success, String eventType, boolean skipped, String skipReason, String error,
            int createdCount) {
        return new JsonObject().put("success", success).put("event_type", eventType).put("skipped", skipped)
                .put("skip_reason", skipReason).put("error", error).put("created_count", createdCount);
    }

    /** TAC's answer to a malformed body (the route's failure handler, {@link MalformedInputHandler}). */
    public static void malformed(RoutingContext ctx, String reason) {
        answer(ctx, 400, failure("Malformed webhook: " + reason));
    }

    private static JsonObject failure(String error) {
        return result(false, null, false, null, error, 0);
    }

    private static void answer(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }

    private static void withConversation(IntelligenceEvent event, Runnable logging) {
        MDC.put("conversationId", event.getConversationId());
        try {
            logging.run();
        } finally {
            MDC.remove("conversationId");
        }
    }
}
