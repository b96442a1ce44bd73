package io.switchboard.ingress.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Consumer;

/**
 * The X-Twilio-Signature gate, placed in a route's chain before the route's own handler: a request Twilio signed
 * goes on ({@code ctx.next()}), any other is refused and never reaches the handler. One instance per route, for the
 * way Twilio signs what that route receives ({@link SignatureCheck} does the computing).
 */
public final class SignedRoute implements Handler<RoutingContext> {
    private enum Scheme { FORM, FORM_OR_JSON, UPGRADE }

    private final SignatureCheck signatures;
    private final Scheme scheme;
    private final Consumer<RoutingContext> refuse;

    private SignedRoute(SignatureCheck signatures, Scheme scheme, Consumer<RoutingContext> refuse) {
        this.signatures = signatures;
        this.scheme = scheme;
        this.refuse = refuse;
    }

    /** A form webhook (voice): the URL and the form parameters; refused with 403. */
    public static SignedRoute form(SignatureCheck signatures) {
        return new SignedRoute(signatures, Scheme.FORM, Forms::forbidden);
    }

    /**
     * A webhook signed as its content type says: JSON by the raw body's hash (bodySHA256), a form by its parameters;
     * refused with 403. A body of neither type goes on unchecked, for the handler to refuse (400) as it names no
     * scheme Twilio signs.
     */
    public static SignedRoute formOrJson(SignatureCheck signatures) {
        return new SignedRoute(signatures, Scheme.FORM_OR_JSON, Forms::forbidden);
    }

    /** A WebSocket upgrade; {@code refuse} answers (and counts) a refused one. */
    public static SignedRoute upgrade(SignatureCheck signatures, Consumer<RoutingContext> refuse) {
        return new SignedRoute(signatures, Scheme.UPGRADE, refuse);
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (signed(ctx)) {
            ctx.next();
        } else {
            refuse.accept(ctx);
        }
    }

    private boolean signed(RoutingContext ctx) {
        return switch (scheme) {
            case FORM -> signatures.form(ctx.request(), Forms.params(ctx));
            case UPGRADE -> signatures.upgrade(ctx.request());
            case FORM_OR_JSON -> {
                if (Forms.isJson(ctx)) {
                    yield signatures.json(ctx.request(), Forms.rawBody(ctx));
                }
                yield !Forms.isForm(ctx) || signatures.form(ctx.request(), Forms.params(ctx));
            }
        };
    }
}
