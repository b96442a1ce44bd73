package io.switchboard.dev;

import io.switchboard.config.InternalToken;
import io.switchboard.ingress.IngressConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What {@code dev} sets when the environment does not: a local Twilio identity the simulator signs its requests
 * with (signatures are checked in {@code dev} too; only the explicit SWITCHBOARD_INSECURE_SKIP_SIGNATURE turns them
 * off, and only with this placeholder account, never a real one), and state kept under
 * the data directory, and a fresh SWITCHBOARD_INTERNAL_TOKEN. Anything set in the environment wins, so a real
 * Twilio account works in {@code dev} as well.
 */
final class DevDefaults {
    static final String ACCOUNT_SID = IngressConfig.DEV_ACCOUNT_SID;
    static final String AUTH_TOKEN = "switchboard-dev-auth-token";

    private DevDefaults() {
    }

    /** Without a Twilio account of its own, {@code dev} sends every Twilio REST call to a local fake. */
    static boolean usesLocalTwilio(Map<String, String> env) {
        return isBlank(env.get("TWILIO_ACCOUNT_SID")) && isBlank(env.get("TWILIO_API_BASE_URL"));
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    static Map<String, String> apply(Map<String, String> env, Path dataDir, int httpPort) {
        Map<String, String> result = new HashMap<>(env);
        result.putIfAbsent("TWILIO_ACCOUNT_SID", ACCOUNT_SID);
        result.putIfAbsent("TWILIO_AUTH_TOKEN", AUTH_TOKEN);
        result.putIfAbsent("TWILIO_PHONE_NUMBER", "+15005550006");
        result.putIfAbsent("TWILIO_WHATSAPP_NUMBER", "whatsapp:+15005550006");
        result.putIfAbsent("TWILIO_RCS_SENDER_ID", "rcs:switchboard_dev_agent");
        result.putIfAbsent("TWILIO_VOICE_PUBLIC_DOMAIN", "localhost:" + httpPort);
        result.putIfAbsent("SWITCHBOARD_ROUTER_STATE_DIR", dataDir.resolve("router").toString());
        result.putIfAbsent("SWITCHBOARD_MEMORY_STATE_DIR", dataDir.resolve("memory").toString());
        result.putIfAbsent("OUTBOUND_INSTANCE_ID", "dev");
        // One JVM runs one copy of each service: two partitions per topic keep the router's exactly-once commits
        // small (with 12, the benchmark on a 2-core machine lost replies; with 2, none), one egress partition
        // per ingress instance.
        result.putIfAbsent("SWITCHBOARD_TOPIC_PARTITIONS", "2");
        result.putIfAbsent("SWITCHBOARD_VOICE_EGRESS_PARTITIONS", "2");
        // What the memory API and dev's services check one another with: a new secret each start, unless one is given.
        result.putIfAbsent(InternalToken.NAME, InternalToken.generate());
        // Agents in dev see the customer's recent messages; TAC's default of none suits production memory stores.
        result.putIfAbsent("TWILIO_MEMORY_COMMUNICATIONS_LIMIT", "20");
        return result;
    }
}
