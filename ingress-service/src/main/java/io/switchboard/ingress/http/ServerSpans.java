package io.switchboard.ingress.http;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.switchboard.tracing.Messaging;
import io.switchboard.tracing.Tracing;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * A SERVER span per Twilio webhook (HTTP semantic conventions: {@code POST <route>}, method, route, response
 * status), placed after the body handler (Vert.x wants that first) and before the signature gate: it starts the turn's trace, the route's handler names the conversation
 * ({@link #describe}) and publishes under it ({@link #context}), and it ends when the response is written. Only
 * the route and the status are recorded: never the body, a phone number or the query string.
 */
public final class ServerSpans implements Handler<RoutingContext> {
    private static final String KEY = ServerSpans.class.getName();
    private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");

    private final Tracing tracing;
    private final String route;

    public ServerSpans(Tracing tracing, String route) {
        this.tracing = tracing;
        this.route = route;
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (!tracing.enabled()) {
            ctx.next();
            return;
        }
        String method = ctx.request().method().name();
        Span span = tracing.tracer().spanBuilder(method + " " + route).setSpanKind(SpanKind.SERVER)
                .setParent(Context.root())
                .setAttribute(METHOD, method)
                .setAttribute(ROUTE, route)
                .startSpan();
        ctx.put(KEY, Context.root().with(span));
        ctx.addEndHandler(done -> {
            int status = ctx.response().getStatusCode();
            span.setAttribute(STATUS, (long) status);
            if (status >= 500) {
                span.setStatus(StatusCode.ERROR);
            }
            span.end();
        });
        ctx.next();
    }

    /** The webhook's span as the parent of what it publishes; the root context when tracing is off. */
    public static Context context(RoutingContext ctx) {
        Context context = ctx.get(KEY);
        return context == null ? Context.root() : context;
    }

    /** Names the conversation (and channel, when known) on the webhook's span. */
    public static void describe(RoutingContext ctx, String conversationId, Object channel) {
        Span span = Span.fromContext(context(ctx));
        if (span.isRecording()) {
            span.setAttribute(Messaging.CONVERSATION_ID, conversationId);
            if (channel != null) {
                span.setAttribute(Messaging.CHANNEL, channel.toString());
            }
        }
    }
}
