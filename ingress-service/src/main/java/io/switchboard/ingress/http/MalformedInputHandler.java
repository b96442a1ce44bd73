package io.switchboard.ingress.http;

import io.switchboard.logging.Redaction;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A route's failure handler: a {@link MalformedInput} thrown by its handler becomes 400 with a body naming the
 * problem and one WARN line (the reason masked, as it may quote the body). Any other failure (the body limit's 413,
 * a bug's 500) goes on to Vert.x's default answer.
 */
public final class MalformedInputHandler implements Handler<RoutingContext> {
    private static final Logger log = LoggerFactory.getLogger(MalformedInputHandler.class);

    private final String what;
    private final BiConsumer<RoutingContext, String> answer;

    private MalformedInputHandler(String what, BiConsumer<RoutingContext, String> answer) {
        this.what = what;
        this.answer = answer;
    }

    /** 400 with the text {@code Malformed <what>: <reason>}. */
    public static MalformedInputHandler text(String what) {
        return new MalformedInputHandler(what,
                (ctx, reason) -> ctx.response().setStatusCode(400).end("Malformed " + what + ": " + reason));
    }

    /** 400 answered by {@code answer} with the public reason (a route with its own answer shape). */
    public static MalformedInputHandler answering(String what, BiConsumer<RoutingContext, String> answer) {
        return new MalformedInputHandler(what, answer);
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (!(ctx.failure() instanceof MalformedInput malformed) || ctx.response().ended()) {
            ctx.next();
            return;
        }
        log.warn("Malformed {} on {}: {}", what, ctx.request().path(), Redaction.mask(String.valueOf(malformed.getMessage())));
        answer.accept(ctx, malformed.publicReason());
    }
}
