package io.switchboard.launcher;

import io.switchboard.config.KafkaSettings;
import io.switchboard.launcher.operator.OperatorListener;
import io.switchboard.service.ManagedService;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs one service alone against an external Kafka cluster: reads the process environment ({@code
 * --bootstrap-servers} overrides {@code KAFKA_BOOTSTRAP_SERVERS}), builds and starts the service, prints one ready
 * line and runs until Ctrl-C. Its operator listener (SWITCHBOARD_OPERATOR_HOST/PORT: {@code /healthz}, {@code /readyz},
 * {@code /metrics}, and the memory API for {@code memory}) is bound once the service started. A missing or invalid setting, or a Kafka that cannot be reached, exits with code 2
 * and one line naming the variable or the bootstrap servers.
 */
public abstract class ServiceCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServiceCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,HOST:PORT]",
            description = "Kafka bootstrap servers; overrides the environment variable KAFKA_BOOTSTRAP_SERVERS.")
    String bootstrapServers;

    private final Map<String, String> processEnv;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Runnable stopper;

    protected ServiceCommand() {
        this(System.getenv());
    }

    /** For tests: an environment other than the process's. */
    protected ServiceCommand(Map<String, String> processEnv) {
        this.processEnv = Map.copyOf(processEnv);
    }

    /** Builds (does not start) the service from the context's environment. */
    protected abstract ManagedService create(ServiceContext context) throws Exception;

    /** For tests: stops a running command as Ctrl-C does. */
    void stop() {
        Runnable current = stopper;
        if (current != null) {
            stopper = null;
            current.run();
        }
    }

    /** The environment the service gets. */
    Map<String, String> environment() {
        Map<String, String> env = new HashMap<>(processEnv);
        if (bootstrapServers != null && !bootstrapServers.isBlank()) {
            env.put(KafkaSettings.BOOTSTRAP_SERVERS, bootstrapServers.trim());
        }
        return env;
    }

    @Override
    public Integer call() throws Exception {
        String name = spec.name();
        Map<String, String> env = environment();
        ServiceContext context = new ServiceContext(env);
        AtomicReference<ManagedService> built = new AtomicReference<>();
        AtomicBoolean closed = new AtomicBoolean();
        Runnable stop = () -> {
            if (closed.compareAndSet(false, true)) {
                closeQuietly(built.get(), context);
            }
            stopped.countDown();
        };
        // Registered before the service starts: a SIGTERM during the start (an orchestrator scaling down, a rolling
        // deploy) must still close what was built, or its consumers stay in their group until the session times out
        // and their partitions wait that long (about 50 s, seen when agents were stopped while starting).
        Thread hook = new Thread(stop, "switchboard-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopper = () -> {
            removeQuietly(hook);
            stop.run();
        };
        try {
            ManagedService service = create(context);
            built.set(service);
            service.start();
            if (closed.get()) {
                return 0; // stopped while starting: closed by the hook, nothing left to serve
            }
            Services.health(context);
            Services.meters(context);
            Services.operator(context);
        } catch (Exception e) {
            stopper = null;
            removeQuietly(hook);
            if (closed.compareAndSet(false, true)) {
                closeQuietly(built.get(), context);
            }
            RuntimeException fixable = StartupFailures.userFixable(e);
            if (fixable == null) {
                throw e;
            }
            spec.commandLine().getErr().println(name + ": " + StartupFailures.oneLine(fixable));
            spec.commandLine().getErr().flush();
            return StartupFailures.USAGE_ERROR;
        }
        ManagedService running = built.get();
        OperatorListener operator = Services.operator(context);
        spec.commandLine().getOut().println(name + " ready (service " + running.name() + ", Kafka at "
                + env.getOrDefault(KafkaSettings.BOOTSTRAP_SERVERS, "?") + ", operator listener " + operator.host() + ":"
                + operator.port() + "); Ctrl-C to stop");
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }

    /** Removes the hook unless the JVM is already shutting down (then the hook is running or ran). */
    private static void removeQuietly(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook does the closing
        }
    }

    private static void closeQuietly(ManagedService service, ServiceContext context) {
        if (service != null) {
            try {
                service.close();
            } catch (RuntimeException e) {
                log.warn("Closing {} failed", service.name(), e);
            }
        }
        context.close();
    }
}
