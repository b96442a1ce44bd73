package io.switchboard.launcher.operator;

import io.switchboard.config.InternalToken;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On an operator listener bound beyond loopback: every request but {@code GET /healthz} (a bare liveness answer a
 * container runtime may probe) must carry the internal token, else 401 and a WARN naming the route and the caller
 * (never the token). Routes that check the token themselves (the memory API) see such requests only once they pass.
 */
final class OperatorGuard implements Handler<RoutingContext> {
    private static final Logger log = LoggerFactory.getLogger(OperatorGuard.class);

    private final InternalToken token;

    OperatorGuard(InternalToken token) {
        this.token = token;
    }

    @Override
    public void handle(RoutingContext ctx) {
        if ("/healthz".equals(ctx.request().path())) {
            ctx.next();
            return;
        }
        Optional<String> refusal = token.refusal(ctx.request().getHeader("Authorization"));
        if (refusal.isEmpty()) {
            ctx.next();
            return;
        }
        log.warn("Refused {} {} on the operator listener from {}: {} ({} is required beyond loopback)",
                ctx.request().method(), ctx.request().path(), ctx.request().remoteAddress(), refusal.get(), InternalToken.NAME);
        ctx.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer").putHeader("Content-Type", "text/plain")
                .end("unauthorized: " + refusal.get());
    }
}
