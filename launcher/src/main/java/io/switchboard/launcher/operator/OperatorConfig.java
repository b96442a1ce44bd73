package io.switchboard.launcher.operator;

import io.switchboard.config.EnvConfig;
import io.switchboard.config.InternalToken;
import io.switchboard.config.InvalidConfigurationException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * What every launcher process shares besides Kafka: its operator listener — the second HTTP server, next to the
 * public one, for the simulator, the memory API, {@code /metrics}, {@code /readyz} and routes between instances; on
 * loopback unless SWITCHBOARD_OPERATOR_HOST says otherwise, and then every route but {@code /healthz} needs
 * SWITCHBOARD_INTERNAL_TOKEN — and the log format (read by logback.xml; declared here so it is documented and
 * checked like every other setting).
 */
public final class OperatorConfig extends EnvConfig {
    public static final String OPERATOR_PORT = "SWITCHBOARD_OPERATOR_PORT";
    public static final String OPERATOR_HOST = "SWITCHBOARD_OPERATOR_HOST";
    /** The operator port's name before it served more than health and metrics; still read, with a warning. */
    public static final String MANAGEMENT_PORT = "SWITCHBOARD_MANAGEMENT_PORT";
    public static final String SIMULATOR_WITH_REAL_ACCOUNT = "SWITCHBOARD_SIMULATOR_WITH_REAL_ACCOUNT";
    public static final String LOG_FORMAT = "SWITCHBOARD_LOG_FORMAT";
    public static final String LOG_LEVEL = "SWITCHBOARD_LOG_LEVEL";
    public static final int DEFAULT_PORT = 9464;
    public static final String DEFAULT_HOST = "127.0.0.1";

    /** A TCP port, or unset (the port has a default only if neither name is set). */
    private static final ConfigDef.Validator PORT_OR_UNSET = ConfigDef.LambdaValidator.with((name, value) -> {
        if (value != null && ((Integer) value < 0 || (Integer) value > 65535)) {
            throw new ConfigException(name, value, "a TCP port (0-65535) is expected");
        }
    }, () -> "[0,...,65535]");

    public static final ConfigDef DEFINITION = InternalToken.define(new ConfigDef(),
                    "Shared secret of Switchboard's processes (`Authorization: Bearer …`): required by the memory API, and by "
                            + "every operator route but /healthz when SWITCHBOARD_OPERATOR_HOST is not loopback (start refused without it). `dev` generates one per start.")
            .define(OPERATOR_PORT, Type.INT, null, PORT_OR_UNSET, Importance.MEDIUM,
                    "Port of the operator listener: /healthz, /readyz, /metrics, the memory API (`memory`), the simulator (`dev`); "
                            + "never expose it. Default " + DEFAULT_PORT + "; 0 picks a free one (logged).")
            .define(OPERATOR_HOST, Type.STRING, DEFAULT_HOST, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Address the operator listener binds to. Loopback by default; another (e.g. `0.0.0.0` in a container whose "
                            + "memory API other services call) is logged at start and needs SWITCHBOARD_INTERNAL_TOKEN on every route but /healthz.")
            .define(MANAGEMENT_PORT, Type.INT, null, PORT_OR_UNSET, Importance.LOW,
                    "Deprecated name of SWITCHBOARD_OPERATOR_PORT, read when that is not set (with a warning).")
            .define(SIMULATOR_WITH_REAL_ACCOUNT, Type.BOOLEAN, false, Importance.LOW,
                    "`dev` only: `true` serves the simulator although a real Twilio account is configured (its page then makes "
                            + "Twilio send real messages). Refused unless the operator listener is on loopback. Without a real account "
                            + "(dev's local stand-in for Twilio) the simulator is always on.")
            .define(LOG_FORMAT, Type.STRING, "text", ConfigDef.ValidString.in("text", "json"),
                    Importance.LOW, "`text` (one line per event) or `json` (one JSON object per line, with the MDC "
                            + "conversationId and traceId; phone numbers masked).")
            .define(LOG_LEVEL, Type.STRING, "INFO", ConfigDef.CaseInsensitiveValidString.in(
                    "TRACE", "DEBUG", "INFO", "WARN", "ERROR"), Importance.LOW, "Root log level.");

    private final boolean loopback;
    private final InternalToken internalToken;

    OperatorConfig(Map<String, String> env) {
        super(DEFINITION, env);
        this.loopback = isLoopback(host());
        this.internalToken = loopback ? InternalToken.optional(secret(InternalToken.NAME)).orElse(null)
                : InternalToken.required(secret(InternalToken.NAME), OPERATOR_HOST + "=" + host()
                        + " is not loopback, so the operator routes (memory API, /metrics, /readyz, ...) require it");
        if (simulatorWithRealAccount() && !loopback) {
            throw new InvalidConfigurationException(SIMULATOR_WITH_REAL_ACCOUNT + "=true is refused with "
                    + OPERATOR_HOST + "=" + host() + ": the simulator sends real messages through the Twilio account, so "
                    + "it is only served on a loopback operator listener (unset " + OPERATOR_HOST + " or set it to 127.0.0.1)");
        }
    }

    public static OperatorConfig fromEnv(Map<String, String> env) {
        return EnvConfig.load(OperatorConfig::new, env);
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new InvalidConfigurationException(OPERATOR_HOST + "=" + host + " is not an address of this host", e);
        }
    }

    /** The setting the port came from (named in errors), and the port. */
    public String portSetting() {
        return getInt(OPERATOR_PORT) == null && getInt(MANAGEMENT_PORT) != null ? MANAGEMENT_PORT : OPERATOR_PORT;
    }

    public int port() {
        Integer port = getInt(OPERATOR_PORT);
        if (port == null) {
            port = getInt(MANAGEMENT_PORT);
        }
        return port == null ? DEFAULT_PORT : port;
    }

    public String host() {
        return getString(OPERATOR_HOST).trim();
    }

    /** Whether the listener is reachable from this host only. */
    public boolean loopback() {
        return loopback;
    }

    /** The token operator routes require beyond loopback (and the memory API always); empty when not set. */
    public Optional<InternalToken> internalToken() {
        return Optional.ofNullable(internalToken);
    }

    public boolean simulatorWithRealAccount() {
        return getBoolean(SIMULATOR_WITH_REAL_ACCOUNT);
    }
}
