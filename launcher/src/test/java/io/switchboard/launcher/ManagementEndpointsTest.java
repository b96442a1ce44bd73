package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.config.KafkaSettings;
import io.switchboard.launcher.operator.OperatorConfig;
import io.switchboard.service.ManagedService;
import io.switchboard.service.Readiness;
import io.switchboard.testkit.FreePorts;
import io.switchboard.testkit.TestKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** A service run alone answers /healthz, /readyz and /metrics on its operator listener (loopback by default). */
class ManagementEndpointsTest {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void aServiceRunAloneServesHealthReadinessAndMetricsOnTheOperatorPort() throws Exception {
        int port = FreePorts.one();
        // The test cluster comes with the topic catalog provisioned, as `topics` would.
        Map<String, String> env = TestKafka.env(Map.of(OperatorConfig.OPERATOR_PORT, Integer.toString(port)));
        AtomicBoolean working = new AtomicBoolean(false);
        LoneCommand command = new LoneCommand(env, working);
        CommandLine commandLine = new CommandLine(command);
        commandLine.setOut(new PrintWriter(new StringWriter(), true));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(commandLine::execute);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> status(port, "/healthz") == 200);
            HttpResponse<String> notYet = get(port, "/readyz");
            assertThat(notYet.statusCode()).isEqualTo(503);
            assertThat(notYet.body()).contains("\"lone\":\"warming up\"");

            working.set(true);
            assertThat(status(port, "/readyz")).isEqualTo(200);
            assertThat(get(port, "/metrics").body()).contains("jvm_memory_used_bytes").contains("process_uptime_seconds");
        } finally {
            command.stop();
        }
        assertThat(exit.get()).isZero();
    }

    @Test
    void aManagementPortInUseExitsWithALineNamingTheSetting() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            // The lone service never talks to Kafka; the address only has to be set.
            Map<String, String> env = Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "127.0.0.1:9",
                    OperatorConfig.OPERATOR_PORT, Integer.toString(taken.getLocalPort()));
            StringWriter err = new StringWriter();
            CommandLine commandLine = new CommandLine(new LoneCommand(env, new AtomicBoolean(true)));
            commandLine.setOut(new PrintWriter(new StringWriter(), true));
            commandLine.setErr(new PrintWriter(err, true));

            assertThat(commandLine.execute()).isEqualTo(StartupFailures.USAGE_ERROR);
            assertThat(err.toString().strip()).isEqualTo("lone: " + OperatorConfig.OPERATOR_PORT + "="
                    + taken.getLocalPort() + " is already in use; give each service on this host its own port "
                    + "(0 picks a free one)");
        }
    }

    private int status(int port, String path) {
        try {
            return get(port, path).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A service with no HTTP server, ready once {@code working} is set; registered as the launcher's services are. */
    @Command(name = "lone")
    static final class LoneCommand extends ServiceCommand {
        private final AtomicBoolean working;

        LoneCommand(Map<String, String> env, AtomicBoolean working) {
            super(env);
            this.working = working;
        }

        @Override
        protected ManagedService create(ServiceContext context) {
            Services.meters(context);
            return Services.observed(context, new Lone(working));
        }
    }

    private record Lone(AtomicBoolean working) implements ManagedService, Readiness {
        @Override
        public String name() {
            return "lone";
        }

        @Override
        public void start() {
        }

        @Override
        public void close() {
        }

        @Override
        public Optional<String> notReady() {
            return working.get() ? Optional.empty() : Optional.of("warming up");
        }
    }
}
