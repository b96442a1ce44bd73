package io.switchboard.ingress.voice;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How many relay upgrades with a bad signature one remote address may make per minute
 * ({@code INGRESS_FORGED_UPGRADES_PER_MINUTE}). Past it, that address's upgrades are refused with 429 before their
 * signature is even computed, until its minute is over: a flood of forged upgrades costs a map look-up each, not
 * an HMAC and a log line. Twilio's own upgrades are signed, so they never spend the budget. Memory is bounded: the
 * least recently seen addresses are forgotten beyond {@link #MAX_ADDRESSES}.
 */
final class ForgedUpgradeBudget {
    static final int MAX_ADDRESSES = 10_000;
    private static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final int perMinute;
    private final LongSupplier nanoClock;
    private final Map<String, Window> windows = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };

    private static final class Window {
        long started;
        int failures;
    }

    ForgedUpgradeBudget(int perMinute) {
        this(perMinute, System::nanoTime);
    }

    ForgedUpgradeBudget(int perMinute, LongSupplier nanoClock) {
        this.perMinute = perMinute;
        this.nanoClock = nanoClock;
    }

    /** Seconds until {@code address} may try again, or 0 when its budget is not spent. */
    synchronized long exhaustedFor(String address) {
        Window window = windows.get(address);
        if (window == null) {
            return 0;
        }
        long elapsed = nanoClock.getAsLong() - window.started;
        if (elapsed >= WINDOW_NANOS || window.failures < perMinute) {
            return 0;
        }
        return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(WINDOW_NANOS - elapsed + 999_999_999L));
    }

    /** Records one failed signature; true when this failure spent the address's budget (worth one log line). */
    synchronized boolean failed(String address) {
        long now = nanoClock.getAsLong();
        Window window = windows.computeIfAbsent(address, a -> new Window());
        if (window.failures == 0 || now - window.started >= WINDOW_NANOS) {
            window.started = now;
            window.failures = 0;
        }
        window.failures++;
        return window.failures == perMinute;
    }
}
