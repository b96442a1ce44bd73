package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.KafkaSettings;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.service.ManagedService;
import io.switchboard.topics.TopicProvisioner;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class ServiceCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void withoutBootstrapServersTheServiceExitsWithCode2NamingTheVariable() {
        int exit = run(new ProvisioningCommand(Map.of()));

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("provisioner:").contains(KafkaSettings.BOOTSTRAP_SERVERS);
        assertThat(err.toString().lines()).hasSize(1);
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void unreachableKafkaGivenOnTheCommandLineExitsWithCode2NamingTheServers() throws Exception {
        String nobody = "127.0.0.1:" + closedPort();

        int exit = run(new ProvisioningCommand(Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "elsewhere:9092")),
                "--bootstrap-servers", nobody);

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("provisioner:").contains(nobody).doesNotContain("elsewhere");
        assertThat(err.toString().lines()).hasSize(1);
        assertThat(err.toString()).doesNotContain("\tat ");
    }

    @Test
    void anInvalidSettingExitsWithCode2NamingTheVariable() {
        int exit = run(new ProvisioningCommand(Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "127.0.0.1:9092",
                KafkaSettings.SERDE, "xml")));

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains(KafkaSettings.SERDE).contains("xml");
    }

    @Test
    void aStopWhileTheServiceIsStartingClosesIt() throws Exception {
        CountDownLatch starting = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        SlowStartCommand command = new SlowStartCommand(starting, closed);
        Thread runner = new Thread(() -> run(command));
        runner.start();
        assertThat(starting.await(30, TimeUnit.SECONDS)).isTrue();

        command.stop(); // what the JVM's shutdown hook runs on SIGTERM

        // Before the fix the hook existed only once start() had returned: a consumer joining its group in start()
        // was never closed, and its partitions waited for the session timeout.
        assertThat(closed.await(10, TimeUnit.SECONDS)).as("closed while starting").isTrue();
        runner.join(30_000);
        assertThat(runner.isAlive()).isFalse();
        assertThat(out.toString()).doesNotContain("ready");
    }

    private int run(ServiceCommand command, String... args) {
        CommandLine commandLine = new CommandLine(command);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** A test-only service whose start() lasts until it is closed (at most 15 s), like a consumer joining its group. */
    @Command(name = "slow")
    static final class SlowStartCommand extends ServiceCommand {
        private final CountDownLatch starting;
        private final CountDownLatch closed;

        SlowStartCommand(CountDownLatch starting, CountDownLatch closed) {
            super(Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "127.0.0.1:9092", "SWITCHBOARD_OPERATOR_PORT", "0"));
            this.starting = starting;
            this.closed = closed;
        }

        @Override
        protected ManagedService create(ServiceContext context) {
            return new ManagedService() {
                @Override
                public String name() {
                    return "slow";
                }

                @Override
                public void start() throws InterruptedException {
                    starting.countDown();
                    closed.await(15, TimeUnit.SECONDS);
                }

                @Override
                public void close() {
                    closed.countDown();
                }
            };
        }
    }

    /** A test-only service: reads the shared Kafka settings and provisions the topics at start. */
    @Command(name = "provisioner")
    static final class ProvisioningCommand extends ServiceCommand {
        ProvisioningCommand(Map<String, String> env) {
            super(env);
        }

        @Override
        protected ManagedService create(ServiceContext context) {
            KafkaSettings settings = KafkaSettings.fromEnv(context.env());
            return new ManagedService() {
                @Override
                public String name() {
                    return "provisioner";
                }

                @Override
                public void start() {
                    Admin admin = new KafkaClients(settings).admin("provisioner");
                    try {
                        new TopicProvisioner(admin, settings, 2_000).provision();
                    } finally {
                        admin.close(Duration.ZERO); // do not wait out the admin's own retries
                    }
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
