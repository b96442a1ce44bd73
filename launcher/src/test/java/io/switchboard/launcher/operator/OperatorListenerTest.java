package io.switchboard.launcher.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.switchboard.config.InternalToken;
import io.switchboard.config.InvalidConfigurationException;
import io.switchboard.launcher.HttpRoutes;
import io.switchboard.testkit.Reachability;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Where the operator listener binds, and what it demands of callers when it is reachable beyond this host. */
class OperatorListenerTest {
    private static final String TOKEN = "operator-test-internal-token";
    private final Vertx vertx = Vertx.vertx();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void close() {
        vertx.close().await();
    }

    @Test
    void byDefaultItListensOnLoopbackOnlyAndServesRoutesAddedAfterItStarted() throws Exception {
        HttpRoutes routes = new HttpRoutes();
        try (OperatorListener listener = OperatorListener.start(vertx,
                OperatorConfig.fromEnv(Map.of(OperatorConfig.OPERATOR_PORT, "0")), routes)) {
            assertThat(listener.host()).isEqualTo("127.0.0.1");
            assertThat(listener.loopback()).isTrue();
            routes.add(router -> router.get("/metrics").handler(ctx -> ctx.end("metrics")));

            assertThat(get("http://127.0.0.1:" + listener.port() + "/metrics", null).body()).isEqualTo("metrics");
            Optional<InetAddress> external = Reachability.nonLoopbackAddress();
            assumeTrue(external.isPresent(), "this host has no non-loopback IPv4 address to try");
            assertThat(Reachability.connects(external.get(), listener.port())).as("reachable at %s", external.get()).isFalse();
        }
    }

    @Test
    void beyondLoopbackEveryRouteButHealthzNeedsTheInternalToken() throws Exception {
        HttpRoutes routes = new HttpRoutes();
        routes.add(router -> {
            router.get("/healthz").handler(ctx -> ctx.end("ok"));
            router.get("/metrics").handler(ctx -> ctx.end("metrics"));
        });
        try (OperatorListener listener = OperatorListener.start(vertx, OperatorConfig.fromEnv(Map.of(
                OperatorConfig.OPERATOR_PORT, "0", OperatorConfig.OPERATOR_HOST, "0.0.0.0",
                InternalToken.NAME, TOKEN)), routes)) {
            String base = "http://127.0.0.1:" + listener.port();
            assertThat(listener.loopback()).isFalse();
            assertThat(get(base + "/healthz", null).statusCode()).isEqualTo(200);
            assertThat(get(base + "/metrics", null).statusCode()).isEqualTo(401);
            assertThat(get(base + "/metrics", "Bearer " + TOKEN + "-not").statusCode()).isEqualTo(401);
            assertThat(get(base + "/nothing-here", null).statusCode()).as("no route's existence leaks").isEqualTo(401);
            HttpResponse<String> allowed = get(base + "/metrics", "Bearer " + TOKEN);
            assertThat(allowed.statusCode()).isEqualTo(200);
            assertThat(allowed.body()).isEqualTo("metrics");
        }
    }

    @Test
    void bindingBeyondLoopbackWithoutATokenIsRefusedNamingBothSettings() {
        assertThatThrownBy(() -> OperatorConfig.fromEnv(Map.of(OperatorConfig.OPERATOR_HOST, "0.0.0.0")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith(InternalToken.NAME + " is required")
                .hasMessageContaining(OperatorConfig.OPERATOR_HOST + "=0.0.0.0");
    }

    @Test
    void theSimulatorWithARealAccountIsRefusedBeyondLoopback() {
        assertThatThrownBy(() -> OperatorConfig.fromEnv(Map.of(OperatorConfig.OPERATOR_HOST, "0.0.0.0",
                InternalToken.NAME, TOKEN, OperatorConfig.SIMULATOR_WITH_REAL_ACCOUNT, "true")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith(OperatorConfig.SIMULATOR_WITH_REAL_ACCOUNT + "=true is refused with "
                        + OperatorConfig.OPERATOR_HOST + "=0.0.0.0");
        assertThat(OperatorConfig.fromEnv(Map.of(OperatorConfig.SIMULATOR_WITH_REAL_ACCOUNT, "true"))
                .simulatorWithRealAccount()).isTrue();
    }

    @Test
    void theDeprecatedManagementPortIsStillReadWhenTheOperatorPortIsNotSet() {
        OperatorConfig old = OperatorConfig.fromEnv(Map.of(OperatorConfig.MANAGEMENT_PORT, "9999"));
        assertThat(old.port()).isEqualTo(9999);
        assertThat(old.portSetting()).isEqualTo(OperatorConfig.MANAGEMENT_PORT);
        OperatorConfig both = OperatorConfig.fromEnv(Map.of(OperatorConfig.MANAGEMENT_PORT, "9999",
                OperatorConfig.OPERATOR_PORT, "9998"));
        assertThat(both.port()).isEqualTo(9998);
        assertThat(OperatorConfig.fromEnv(Map.of()).port()).isEqualTo(OperatorConfig.DEFAULT_PORT);
    }

    private HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
