package io.switchboard.testkit;

import io.switchboard.config.InternalToken;
import java.util.HashMap;
import java.util.Map;

/** The SWITCHBOARD_INTERNAL_TOKEN tests give their services and clients (a real service refuses to start without one). */
public final class InternalTokens {
    public static final String VALUE = "switchboard-test-internal-token";
    public static final InternalToken TOKEN = InternalToken.required(VALUE, "tests");

    private InternalTokens() {
    }

    /** {@code env} plus the test token. */
    public static Map<String, String> with(Map<String, String> env) {
        Map<String, String> copy = new HashMap<>(env);
        copy.put(InternalToken.NAME, VALUE);
        return copy;
    }
}
