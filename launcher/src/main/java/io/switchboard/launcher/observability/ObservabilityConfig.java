package io.switchboard.launcher.observability;

import io.switchboard.config.EnvConfig;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * What every service process shares for observability: where {@code /healthz}, {@code /readyz} and {@code /metrics}
 * are served when the service has no HTTP server of its own, and the log format (read by logback.xml; declared here
 * so it is documented and checked like every other setting).
 */
public final class ObservabilityConfig extends EnvConfig {
    public static final String MANAGEMENT_PORT = "SWITCHBOARD_MANAGEMENT_PORT";
    public static final String LOG_FORMAT = "SWITCHBOARD_LOG_FORMAT";
    public static final String LOG_LEVEL = "SWITCHBOARD_LOG_LEVEL";

    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(MANAGEMENT_PORT, Type.INT, 9464, ConfigDef.Range.between(0, 65535), Importance.LOW,
                    "Port of /healthz, /readyz and /metrics for a service run alone without an HTTP server of its own "
                            + "(router, outbound, memory, agent); 0 picks a free one. The ingress serves them on PORT.")
            .define(LOG_FORMAT, Type.STRING, "text", ConfigDef.ValidString.in("text", "json"),
                    Importance.LOW, "`text` (one line per event) or `json` (one JSON object per line, with the MDC "
                            + "conversationId and traceId; phone numbers masked).")
            .define(LOG_LEVEL, Type.STRING, "INFO", ConfigDef.CaseInsensitiveValidString.in(
                    "TRACE", "DEBUG", "INFO", "WARN", "ERROR"), Importance.LOW, "Root log level.");

    ObservabilityConfig(Map<String, String> env) {
        super(DEFINITION, env);
    }

    public static ObservabilityConfig fromEnv(Map<String, String> env) {
        return EnvConfig.load(ObservabilityConfig::new, env);
    }

    public int managementPort() {
        return getInt(MANAGEMENT_PORT);
    }
}
