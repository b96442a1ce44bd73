package io.switchboard.dev;

import io.switchboard.config.InvalidConfigurationException;
import io.switchboard.config.KafkaSettings;
import io.switchboard.launcher.StartupFailures;
import io.switchboard.launcher.Switchboard;
import io.switchboard.topics.Topic;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code switchboard dev}: an embedded Kafka broker and every service in one JVM, until Ctrl-C. */
@Command(name = "dev", mixinStandardHelpOptions = true, versionProvider = Switchboard.Version.class,
        description = {"Runs everything on this machine: an embedded single-node Kafka broker (data kept between "
                + "runs), the topics, and every service, in one JVM. Ctrl-C stops it.",
                "The public port (Twilio's webhooks and relay socket only) comes from the environment variable PORT "
                        + "(default 8080); the operator listener (simulator, memory API, /metrics, /readyz) from "
                        + "SWITCHBOARD_OPERATOR_PORT (default 9464), on 127.0.0.1 unless SWITCHBOARD_OPERATOR_HOST says otherwise."})
public final class DevCommand implements Callable<Integer> {
    static final int DEFAULT_HTTP_PORT = 8080;

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".switchboard",
            description = "Where the broker keeps its data; delete it to start from scratch (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--kafka-port", paramLabel = "PORT", defaultValue = "9092",
            description = "Port of the embedded broker on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--without", split = ",", paramLabel = "SERVICE",
            description = "Leave out these of dev's services, e.g. --without agent to answer with an agent of your own "
                    + "(any language, any consumer group) beside dev; --without simulator,memory.")
    Set<String> without = Set.of();

    private final Map<String, String> processEnv;

    public DevCommand() {
        this(System.getenv());
    }

    private DevCommand(Map<String, String> processEnv) {
        this.processEnv = Map.copyOf(processEnv);
    }

    /** For tests: {@code dev} with an environment other than the process's. */
    public static DevCommand withEnvironment(Map<String, String> env) {
        return new DevCommand(env);
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long began = System.nanoTime();
        DevStack stack;
        try {
            DevStack.Settings settings = new DevStack.Settings(dataDir, kafkaPort, httpPort(processEnv));
            stack = DevStack.start(settings, processEnv, DevServices.without(without));
        } catch (Exception e) {
            RuntimeException fixable = StartupFailures.userFixable(e);
            err.println("dev: " + StartupFailures.oneLine(fixable != null ? fixable : e));
            err.flush();
            return fixable != null ? StartupFailures.USAGE_ERROR : 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "switchboard-shutdown"));
        out.println(banner(stack, (System.nanoTime() - began) / 1_000_000));
        out.flush();
        stack.awaitClosed();
        return 0;
    }

    static int httpPort(Map<String, String> env) {
        String value = env.get("PORT");
        if (value == null || value.isBlank()) {
            return DEFAULT_HTTP_PORT;
        }
        try {
            int port = Integer.parseInt(value.trim());
            if (port < 0 || port > 65_535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new InvalidConfigurationException("Invalid value " + value + " for PORT: a TCP port (0-65535) is expected");
        }
    }

    static String banner(DevStack stack, long readyMs) {
        String topics = Arrays.stream(Topic.values()).map(Topic::topicName).collect(Collectors.joining(" "));
        String services = stack.serviceNames().isEmpty() ? "none yet" : String.join(", ", stack.serviceNames());
        String operator = stack.operator().localBaseUrl();
        String partitions = stack.env().getOrDefault(KafkaSettings.TOPIC_PARTITIONS, "?");
        return String.join(System.lineSeparator(),
                "",
                "Switchboard dev " + Switchboard.Version.version() + " is ready (" + readyMs + " ms)",
                "  Kafka     " + stack.bootstrapServers() + "   (KAFKA_BOOTSTRAP_SERVERS; cluster "
                        + stack.clusterId() + (stack.freshlyFormatted() ? ", new" : "") + ")",
                "  Data      " + stack.settings().dataDir() + "   (delete it to start from scratch)",
                "  Topics    " + topics,
                "            " + partitions + " partitions per conversation topic (" + KafkaSettings.TOPIC_PARTITIONS
                        + "): at most " + partitions + " agent workers of one group get work",
                "  Public    " + stack.httpBaseUrl() + "   (PORT: Twilio's webhooks and /ws only; the one port to expose, behind TLS)",
                "  Operator  " + operator + "   (SWITCHBOARD_OPERATOR_PORT on " + stack.operator().host()
                        + ": simulator, memory API, /metrics, /readyz; never expose it)",
                "  Services  " + services,
                "",
                stack.serviceNames().contains("simulator")
                        ? "  Open " + operator + "/ to talk to the agent (the simulator)."
                        : "  The simulator is off (a real Twilio account; see SWITCHBOARD_SIMULATOR_WITH_REAL_ACCOUNT).",
                "Ctrl-C stops it.",
                "");
    }
}
