package io.switchboard.ingress.voice;

import io.switchboard.ingress.IngressMetrics;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay upgrade's first two limits, around the signature gate (the route's chain is this guard, then
 * {@code SignedRoute.upgrade(signatures, guard::forged)}, then the {@link RelaySocketHandler}): {@link #handle} refuses (429 with Retry-After)
 * an address that spent its {@link ForgedUpgradeBudget} this minute, before any signature is computed; {@link #forged}
 * answers an upgrade the gate refused (403), spending that address's budget. Both are counted in
 * {@code switchboard.ingress.relay.upgrades.refused{reason=forged_budget|signature}}.
 */
public final class ForgedUpgradeGuard implements Handler<RoutingContext> {
    private static final Logger log = LoggerFactory.getLogger(ForgedUpgradeGuard.class);

    private final int perMinute;
    private final ForgedUpgradeBudget budget;
    private final IngressMetrics metrics;

    public ForgedUpgradeGuard(int forgedUpgradesPerMinute, IngressMetrics metrics) {
        this.perMinute = forgedUpgradesPerMinute;
        this.budget = new ForgedUpgradeBudget(forgedUpgradesPerMinute);
        this.metrics = metrics;
    }

    @Override
    public void handle(RoutingContext ctx) {
        long retryAfter = budget.exhaustedFor(remoteAddress(ctx));
        if (retryAfter > 0) {
            metrics.upgradeRefused(IngressMetrics.REFUSED_FORGED_BUDGET);
            ctx.response().setStatusCode(429).putHeader("Retry-After", Long.toString(retryAfter)).end();
            return;
        }
        ctx.next();
    }

    /** An upgrade without a valid X-Twilio-Signature: 403, and one more failure on its address's budget. */
    public void forged(RoutingContext ctx) {
        String from = remoteAddress(ctx);
        metrics.upgradeRefused(IngressMetrics.REFUSED_SIGNATURE);
        log.warn("Refused relay upgrade from {}: missing or invalid X-Twilio-Signature", from);
        if (budget.failed(from)) {
            log.warn("{} relay upgrades with a bad signature from {} this minute: its upgrades get 429 until the "
                    + "minute is over (INGRESS_FORGED_UPGRADES_PER_MINUTE)", perMinute, from);
        }
        ctx.response().setStatusCode(403).end();
    }

    /**
     * Who is upgrading: the last X-Forwarded-For hop when a proxy (TLS termination) is in front — the address that
     * proxy saw, which a client cannot choose — otherwise the TCP peer.
     */
    static String remoteAddress(RoutingContext ctx) {
        String forwarded = ctx.request().getHeader("X-Forwarded-For");
        if (forwarded != null) {
            String[] hops = forwarded.split(",");
            String last = hops[hops.length - 1].trim();
            if (!last.isEmpty()) {
                return last;
            }
        }
        return ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
    }
}
