package io.switchboard.router;

import io.switchboard.config.EnvConfig;
import io.switchboard.config.InternalToken;
import io.switchboard.config.KafkaSettings;
import io.switchboard.events.Channel;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settings of the channel router. Durations are milliseconds ({@code *_MS}), as everywhere else; the former names
 * without {@code _MS}, which took a duration with a unit ({@code 30m}), are still read when the new one is unset.
 */
public final class RouterConfig extends EnvConfig {
    public static final String APPLICATION_ID = "SWITCHBOARD_ROUTER_APPLICATION_ID";
    public static final String INACTIVITY_TIMEOUT_MS = "SWITCHBOARD_INACTIVITY_TIMEOUT_MS";
    public static final String DEDUP_WINDOW_MS = "SWITCHBOARD_ROUTER_DEDUP_WINDOW_MS";
    public static final String CALL_END_GRACE_MS = "SWITCHBOARD_ROUTER_CALL_END_GRACE_MS";
    public static final String STATE_DIR = "SWITCHBOARD_ROUTER_STATE_DIR";
    public static final String COMMIT_INTERVAL_MS = "SWITCHBOARD_ROUTER_COMMIT_INTERVAL_MS";
    public static final String STREAM_THREADS = "SWITCHBOARD_ROUTER_STREAM_THREADS";
    public static final String START_TIMEOUT_MS = "SWITCHBOARD_ROUTER_START_TIMEOUT_MS";
    /** TAC's {@code memory_mode} for every channel without an override of its own. */
    public static final String MEMORY_MODE = "SWITCHBOARD_MEMORY_MODE";
    /** Per-channel override: {@code SWITCHBOARD_MEMORY_MODE_VOICE}, {@code _SMS}, {@code _WHATSAPP}, {@code _RCS}, {@code _CHAT}. */
    public static final String MEMORY_MODE_PREFIX = MEMORY_MODE + "_";
    public static final String MEMORY_URL = "SWITCHBOARD_MEMORY_URL";
    public static final String MEMORY_TIMEOUT_MS = "SWITCHBOARD_MEMORY_TIMEOUT_MS";
    /** The channels a memory mode can be set for. */
    static final List<Channel> MEMORY_CHANNELS = List.of(Channel.VOICE, Channel.SMS, Channel.WHATSAPP, Channel.RCS, Channel.CHAT);

    /** The names of the millisecond settings before they had one convention: durations with a unit (`30m`). */
    @Deprecated
    public static final String INACTIVITY_TIMEOUT = "SWITCHBOARD_INACTIVITY_TIMEOUT";
    @Deprecated
    public static final String DEDUP_WINDOW = "SWITCHBOARD_ROUTER_DEDUP_WINDOW";
    @Deprecated
    public static final String CALL_END_GRACE = "SWITCHBOARD_ROUTER_CALL_END_GRACE";
    @Deprecated
    public static final String COMMIT_INTERVAL = "SWITCHBOARD_ROUTER_COMMIT_INTERVAL";
    @Deprecated
    public static final String START_TIMEOUT = "SWITCHBOARD_ROUTER_START_TIMEOUT";
    @Deprecated
    public static final String MEMORY_TIMEOUT = "SWITCHBOARD_MEMORY_TIMEOUT";
    /** Each millisecond setting by the deprecated name it replaces. */
    private static final Map<String, String> RENAMED = Map.of(INACTIVITY_TIMEOUT, INACTIVITY_TIMEOUT_MS,
            DEDUP_WINDOW, DEDUP_WINDOW_MS, CALL_END_GRACE, CALL_END_GRACE_MS, COMMIT_INTERVAL, COMMIT_INTERVAL_MS,
            START_TIMEOUT, START_TIMEOUT_MS, MEMORY_TIMEOUT, MEMORY_TIMEOUT_MS);

    private static final Logger log = LoggerFactory.getLogger(RouterConfig.class);
    private static final Pattern WITH_UNIT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    public static final ConfigDef DEFINITION = InternalToken.define(KafkaSettings.define(new ConfigDef()),
                    "The shared secret the memory service checks (`Authorization: Bearer …`); required when a memory mode is not `never`.")
            .define(APPLICATION_ID, Type.STRING, "switchboard-router", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Kafka Streams application id of the router: its consumer group, transactional id prefix and the prefix of its changelog topics. Every router instance of one deployment shares it.")
            .define(INACTIVITY_TIMEOUT_MS, Type.LONG, Duration.ofMinutes(30).toMillis(), Range.atLeast(1_000), Importance.MEDIUM,
                    "A conversation with no inbound event for this long ends with one conversation-ended (INACTIVITY_TIMEOUT) and its session is freed.")
            .define(DEDUP_WINDOW_MS, Type.LONG, Duration.ofHours(24).toMillis(), Range.atLeast(1_000), Importance.LOW,
                    "How long the router remembers inbound event ids to drop duplicates (retried webhooks, re-produced frames), across restarts.")
            .define(CALL_END_GRACE_MS, Type.LONG, 5_000L, Range.atLeast(0), Importance.LOW,
                    "Relay-only voice: after the socket closes, how long the router waits for the action callback (which carries HandoffData) before it ends the conversation without it.")
            .define(STATE_DIR, Type.STRING, Path.of(System.getProperty("java.io.tmpdir"), "switchboard-router").toString(),
                    new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Directory of the router's local state (RocksDB); the changelog topics rebuild it when lost.")
            .define(COMMIT_INTERVAL_MS, Type.LONG, 100L, Range.atLeast(1), Importance.LOW,
                    "Kafka Streams commit interval: how often the router's transaction (state, offsets, routed events) commits. Agents read uncommitted by default and do not wait for it; read_committed readers of tac.agent.v1 see a routed event only then. A commit stops the stream thread for milliseconds to tens of milliseconds, so a shorter interval lowers throughput; a crash replays up to this much.")
            .define(STREAM_THREADS, Type.INT, 1, ConfigDef.Range.between(1, 64), Importance.LOW,
                    "Stream threads of one router instance (partitions are shared among all threads of all instances).")
            .define(START_TIMEOUT_MS, Type.LONG, 60_000L, Range.atLeast(1_000), Importance.LOW,
                    "How long start() waits for the router to reach RUNNING (state restored, partitions assigned).")
            .define(MEMORY_MODE, Type.STRING, "never", memoryModeValidator(), Importance.MEDIUM,
                    "TAC's memory_mode for every channel without its own setting: `never` (no memory), `once` (fetched with an empty query at the first message, cached in the session until it turns INACTIVE) or `always` (fetched for every message, the message text as query). A failed or slow fetch lets the message go on without memory.")
            .define(MEMORY_URL, Type.STRING, null, Importance.MEDIUM,
                    "Base URL of the memory API — the memory service's operator listener (e.g. `http://localhost:9464`, `http://memory:9464`); required when a memory mode is not `never`.")
            .define(MEMORY_TIMEOUT_MS, Type.LONG, 5_000L, Range.atLeast(1), Importance.LOW,
                    "How long a message waits for its memory; after it, the message goes on without memory (a warning is logged). Other conversations never wait. "
                            + "5 s fits Twilio Memory's Lookup + Recall: about 0.9 s through memory-service at Twilio-like latency (measured with the fake's realistic delays), plus a Communications fallback and room for Twilio's slow tail; TAC waits for it (30 s HTTP timeout).");

    static {
        for (Channel channel : MEMORY_CHANNELS) {
            DEFINITION.define(MEMORY_MODE_PREFIX + channel.name(), Type.STRING, null, memoryModeValidator(), Importance.LOW,
                    "memory_mode of " + channel.name() + " conversations (`never`, `once`, `always`); unset: " + MEMORY_MODE + ".");
        }
        RENAMED.forEach((deprecated, name) -> DEFINITION.define(deprecated, Type.STRING, null, durationValidator(),
                Importance.LOW,
                "Deprecated: use " + name + " (milliseconds). Read only when that is unset (with a WARN at start), as a "
                        + "duration with a unit (`30m`, `90s`, `250ms`, `24h`, `2d`), ISO-8601 (`PT30M`) or milliseconds."));
    }

    private final KafkaSettings kafka;
    private final InternalToken internalToken;
    /** Each millisecond setting's value, from its deprecated name when only that is set. */
    private final Map<String, Duration> durations = new HashMap<>();

    public RouterConfig(Map<String, String> env) {
        super(DEFINITION, env);
        this.kafka = new KafkaSettings(env);
        RENAMED.forEach((deprecated, name) -> durations.put(name, millisOrDeprecated(name, deprecated)));
        if (memoryUrl() == null) {
            for (Channel channel : Channel.values()) {
                if (memoryMode(channel) != MemoryMode.NEVER) {
                    throw new ConfigException(MEMORY_URL + " is required: the memory mode of " + channel + " is "
                            + memoryMode(channel).setting() + " (" + MEMORY_MODE
                            + (MEMORY_CHANNELS.contains(channel) ? " / " + MEMORY_MODE_PREFIX + channel.name() : "") + ")");
                }
            }
        } else {
            try {
                URI uri = new URI(memoryUrl());
                if (uri.getScheme() == null || !uri.getScheme().startsWith("http") || uri.getHost() == null) {
                    throw new URISyntaxException(memoryUrl(), "not an http(s) URL");
                }
            } catch (URISyntaxException e) {
                throw new ConfigException(MEMORY_URL, memoryUrl(), "must be an http(s) URL such as http://localhost:8083");
            }
        }
        // after the URL checks: a missing URL is the first thing to fix
        this.internalToken = memoryEnabled()
                ? InternalToken.required(secret(InternalToken.NAME), "the memory service refuses calls without it, and "
                        + MEMORY_MODE + " is not never for every channel")
                : InternalToken.optional(secret(InternalToken.NAME)).orElse(null);
    }

    public static RouterConfig fromEnv(Map<String, String> env) {
        return load(RouterConfig::new, env);
    }

    public KafkaSettings kafka() {
        return kafka;
    }

    public String applicationId() {
        return getString(APPLICATION_ID);
    }

    public Duration inactivityTimeout() {
        return durations.get(INACTIVITY_TIMEOUT_MS);
    }

    public Duration dedupWindow() {
        return durations.get(DEDUP_WINDOW_MS);
    }

    public Duration callEndGrace() {
        return durations.get(CALL_END_GRACE_MS);
    }

    public Path stateDir() {
        return Path.of(getString(STATE_DIR));
    }

    public Duration commitInterval() {
        return durations.get(COMMIT_INTERVAL_MS);
    }

    public int streamThreads() {
        return getInt(STREAM_THREADS);
    }

    public Duration startTimeout() {
        return durations.get(START_TIMEOUT_MS);
    }

    /** The memory mode of {@code channel}: its own setting, else {@link #MEMORY_MODE}; UNKNOWN channels use the latter. */
    MemoryMode memoryMode(Channel channel) {
        String own = MEMORY_CHANNELS.contains(channel) ? optionalString(MEMORY_MODE_PREFIX + channel.name()) : null;
        return MemoryMode.parse(own != null ? own : getString(MEMORY_MODE));
    }

    /** True when some channel's memory mode is not {@code never}. */
    boolean memoryEnabled() {
        return MEMORY_CHANNELS.stream().anyMatch(channel -> memoryMode(channel) != MemoryMode.NEVER)
                || memoryMode(Channel.UNKNOWN) != MemoryMode.NEVER;
    }

    /** What the router presents to the memory service; null when no channel uses memory and none is set. */
    public InternalToken internalToken() {
        return internalToken;
    }

    /** The memory service's base URL, or null when no channel uses memory. */
    public String memoryUrl() {
        return optionalString(MEMORY_URL);
    }

    public Duration memoryTimeout() {
        return durations.get(MEMORY_TIMEOUT_MS);
    }

    /**
     * {@code name}, in milliseconds; when only its {@code deprecated} name is set, that one (a duration such as
     * {@code 30m}) within the same bounds, with a WARN naming the new setting.
     */
    private Duration millisOrDeprecated(String name, String deprecated) {
        String old = optionalString(deprecated);
        if (old == null) {
            return Duration.ofMillis(getLong(name));
        }
        if (originals().containsKey(name)) {
            log.warn("{} is deprecated and ignored: {} is set", deprecated, name);
            return Duration.ofMillis(getLong(name));
        }
        Duration value = parseDuration(old);
        DEFINITION.configKeys().get(name).validator.ensureValid(deprecated, value.toMillis());
        log.warn("{} is deprecated: set {}={} (milliseconds) instead", deprecated, name, value.toMillis());
        return value;
    }

    /** `30m`, `90s`, `250ms`, `24h`, `2d`, ISO-8601 `PT30M`, or a bare number of milliseconds. */
    static Duration parseDuration(String text) {
        String value = text.strip().toLowerCase(Locale.ROOT);
        if (value.matches("\\d+")) {
            return Duration.ofMillis(Long.parseLong(value));
        }
        Matcher unit = WITH_UNIT.matcher(value);
        if (unit.matches()) {
            long amount = Long.parseLong(unit.group(1));
            return switch (unit.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        try {
            return Duration.parse(text.strip().toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (use e.g. 30m, 90s, 250ms or PT30M)");
        }
    }

    private static ConfigDef.Validator memoryModeValidator() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (value == null) {
                    return;
                }
                try {
                    MemoryMode.parse(value.toString());
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(name, value, e.getMessage());
                }
            }

            @Override
            public String toString() {
                return "never, once or always";
            }
        };
    }

    /** A deprecated duration setting: unset, or a duration {@link #parseDuration} reads. */
    private static ConfigDef.Validator durationValidator() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (value == null) {
                    return;
                }
                try {
                    parseDuration(value.toString());
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(name, value, e.getMessage());
                }
            }

            @Override
            public String toString() {
                return "a duration such as 30m, 90s, 250ms or PT30M";
            }
        };
    }
}
