package io.switchboard.ingress;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.switchboard.metrics.TaggedCounters;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ingress's meters: HTTP requests by route and status and their latency, events Kafka acknowledged by type, webhooks
 * waiting for Kafka and shed, relay sockets open (and their maximum), frames rejected, upgrades refused, egress frames
 * by result, and orchestrated voice conversation lookups. Each meter is registered once (per tag values, then cached), so counting
 * costs no registry look-up. The counters of a fixed set of tag values are registered at once, so they read 0 before
 * anything happened.
 */
public final class IngressMetrics {
    static final String REQUESTS = "switchboard.ingress.requests";
    static final String REQUEST_LATENCY = "switchboard.ingress.request.latency";
    static final String EVENTS_PRODUCED = "switchboard.ingress.events.produced";
    static final String WEBHOOKS_IN_FLIGHT = "switchboard.ingress.webhooks.in.flight";
    static final String WEBHOOKS_SHED = "switchboard.ingress.webhooks.shed";
    static final String RELAY_SOCKETS_OPEN = "switchboard.ingress.relay.sockets.open";
    static final String RELAY_SOCKETS_MAX = "switchboard.ingress.relay.sockets.max";
    static final String RELAY_FRAMES_REJECTED = "switchboard.ingress.relay.frames.rejected";
    static final String RELAY_UPGRADES_REFUSED = "switchboard.ingress.relay.upgrades.refused";
    static final String EGRESS_FRAMES = "switchboard.ingress.egress.frames";
    static final String VOICE_LOOKUPS = "switchboard.ingress.voice.lookups";

    /** Why a relay upgrade was refused: 429, 403, 503. */
    public static final String REFUSED_FORGED_BUDGET = "forged_budget";
    public static final String REFUSED_SIGNATURE = "signature";
    public static final String REFUSED_CAPACITY = "capacity";

    /** What became of a frame read from tac.voice.egress.v1. */
    public static final String EGRESS_WRITTEN = "written";
    public static final String EGRESS_STALE = "stale";
    public static final String EGRESS_DUPLICATE = "duplicate";
    public static final String EGRESS_NO_SOCKET = "no_socket";

    /** How an orchestrated call's conversation lookup ended. */
    public static final String LOOKUP_FOUND = "found";
    public static final String LOOKUP_NOT_FOUND = "not_found";

    private final MeterRegistry registry;
    private final TaggedCounters counters;
    /** Request latency by route and status. */
    private final Map<List<String>, Timer> timers = new ConcurrentHashMap<>();
    private final Counter webhooksShed;
    private final Counter framesRejected;

    public IngressMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.counters = new TaggedCounters(registry);
        webhooksShed = Counter.builder(WEBHOOKS_SHED)
                .description("Webhooks answered 503 at once because INGRESS_MAX_IN_FLIGHT webhooks already waited for Kafka")
                .register(registry);
        framesRejected = Counter.builder(RELAY_FRAMES_REJECTED)
                .description("Malformed, unknown or out-of-order relay frames (no event produced)").register(registry);
        for (String reason : List.of(REFUSED_FORGED_BUDGET, REFUSED_SIGNATURE, REFUSED_CAPACITY)) {
            upgradesRefused(reason);
        }
        for (String result : List.of(EGRESS_WRITTEN, EGRESS_STALE, EGRESS_DUPLICATE, EGRESS_NO_SOCKET)) {
            egressFrames(result);
        }
    }

    /** An HTTP request of {@code route} answered with {@code status}, {@code nanos} after it arrived. */
    void request(String route, String status, long nanos) {
        counters.counter(REQUESTS, "HTTP requests by route and status", "route", route, "status", status).increment();
        timers.computeIfAbsent(List.of(route, status), k -> Timer.builder(REQUEST_LATENCY)
                .description("Time from a request's arrival to its answer (for webhooks: until Kafka acknowledged the event)")
                .tag("route", route).tag("status", status).publishPercentileHistogram()
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Kafka acknowledged an event of {@code type}. */
    void produced(String type) {
        counters.counter(EVENTS_PRODUCED, "Events acknowledged by Kafka", "type", type).increment();
    }

    /** Gauges the webhooks waiting for Kafka's acknowledgement (the registry holds {@code inFlight} weakly). */
    void webhooksInFlight(AtomicInteger inFlight) {
        registry.gauge(WEBHOOKS_IN_FLIGHT, inFlight);
    }

    void webhookShed() {
        webhooksShed.increment();
    }

    /**
     * Gauges the relay sockets open (the registry holds {@code open} weakly) and the most that may be open
     * (INGRESS_MAX_RELAY_SOCKETS), so a rule can say how close an instance is to refusing calls.
     */
    public void relaySocketsOpen(AtomicInteger open, int max) {
        registry.gauge(RELAY_SOCKETS_OPEN, open);
        Gauge.builder(RELAY_SOCKETS_MAX, () -> max)
                .description("Relay sockets an instance holds at most (INGRESS_MAX_RELAY_SOCKETS); upgrades beyond get 503")
                .register(registry);
    }

    public void relayFrameRejected() {
        framesRejected.increment();
    }

    /** A relay upgrade refused for {@code reason}: one of the {@code REFUSED_*} values. */
    public void upgradeRefused(String reason) {
        upgradesRefused(reason).increment();
    }

    /** What became of a voice egress frame: one of the {@code EGRESS_*} values. */
    public void egressFrame(String result) {
        egressFrames(result).increment();
    }

    /** An orchestrated call's conversation lookup ended: one of the {@code LOOKUP_*} values. */
    public void voiceLookup(String result) {
        counters.counter(VOICE_LOOKUPS, "Orchestrated voice conversation lookups by outcome", "result", result)
                .increment();
    }

    private Counter upgradesRefused(String reason) {
        return counters.counter(RELAY_UPGRADES_REFUSED,
                "Relay upgrades refused: forged_budget (429), signature (403), capacity (503)", "reason", reason);
    }

    private Counter egressFrames(String result) {
        return counters.counter(EGRESS_FRAMES, null, "result", result);
    }
}
