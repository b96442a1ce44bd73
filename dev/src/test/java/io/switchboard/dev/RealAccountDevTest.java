package io.switchboard.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.switchboard.config.InternalToken;
import io.switchboard.config.KafkaSettings;
import io.switchboard.launcher.operator.OperatorConfig;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.testkit.FreePorts;
import io.switchboard.testkit.Reachability;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dev} as a new user runs it with a real Twilio account, following "Connect a real Twilio number": the public
 * port (the one they expose through a tunnel) answers Twilio's routes only — no simulator, no memory API, no
 * metrics or readiness — and the operator listener, where those live, is bound to loopback, with the simulator off.
 * Twilio's REST API is the local fake (TWILIO_API_BASE_URL), so nothing leaves the machine.
 */
class RealAccountDevTest {
    private static final String REAL_LOOKING_SID = "AC0123456789abcdef0123456789abcdef";
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dataDir;

    @Test
    void withARealAccountNoOperatorRouteAnswersOnThePublicPortAndTheOperatorPortIsLoopbackOnly() throws Exception {
        int port = FreePorts.one();
        try (FakeTwilioApi twilio = FakeTwilioApi.start()) {
            Map<String, String> env = Map.of("TWILIO_ACCOUNT_SID", REAL_LOOKING_SID,
                    "TWILIO_AUTH_TOKEN", "a-real-looking-auth-token", "TWILIO_API_BASE_URL", twilio.baseUrl(),
                    KafkaSettings.TOPIC_PARTITIONS, "1", KafkaSettings.VOICE_EGRESS_PARTITIONS, "1",
                    OperatorConfig.OPERATOR_PORT, "0");
            try (DevStack stack = DevStack.start(new DevStack.Settings(dataDir, 0, port), env, DevServices.all())) {
                String publicBase = "http://127.0.0.1:" + port;
                String operator = stack.operator().localBaseUrl();
                String token = stack.env().get(InternalToken.NAME);
                assertThat(token).as("dev generated an internal token").hasSizeGreaterThanOrEqualTo(InternalToken.MIN_LENGTH);

                for (String path : List.of("/", "/simulator/app.js", "/simulator/style.css", "/simulator/socket",
                        "/metrics", "/readyz", "/memory/profiles/mem_profile_1", "/memory/internal/customers/addr:x")) {
                    assertThat(send(publicBase + path, "GET", null, null).statusCode()).as("public GET %s", path).isEqualTo(404);
                    assertThat(send(publicBase + path, "GET", null, "Bearer " + token).statusCode())
                            .as("public GET %s with the token", path).isEqualTo(404);
                }
                for (String path : List.of("/memory/retrieve", "/memory/observations")) {
                    assertThat(send(publicBase + path, "POST", "{\"address\":\"+15550001111\",\"content\":\"x\"}",
                            "Bearer " + token).statusCode()).as("public POST %s", path).isEqualTo(404);
                }
                assertThat(send(publicBase + "/healthz", "GET", null, null).statusCode()).isEqualTo(200);

                // The operator listener: loopback only, no simulator with a real account, the rest there.
                assertThat(stack.operator().host()).isEqualTo("127.0.0.1");
                Optional<InetAddress> external = Reachability.nonLoopbackAddress();
                assumeTrue(external.isPresent(), "no non-loopback address to try");
                assertThat(Reachability.connects(external.get(), stack.operator().port()))
                        .as("operator port reachable at %s", external.get()).isFalse();
                assertThat(Reachability.connects(InetAddress.getLoopbackAddress(), stack.operator().port())).isTrue();
                assertThat(stack.serviceNames()).doesNotContain("simulator").contains("simulator (off)");
                assertThat(send(operator + "/", "GET", null, null).statusCode()).isEqualTo(404);
                assertThat(send(operator + "/metrics", "GET", null, null).body()).contains("jvm_memory_used_bytes");
                assertThat(send(operator + "/memory/retrieve", "POST", "{\"address\":\"+15550001111\"}", null)
                        .statusCode()).isEqualTo(401);
                assertThat(send(operator + "/memory/retrieve", "POST", "{\"address\":\"+15550001111\"}",
                        "Bearer " + token).statusCode()).isIn(200, 503); // 503: the local memory still restoring
                assertThat(DevCommand.banner(stack, 1)).contains("The simulator is off")
                        .contains("Operator  " + operator).doesNotContain(publicBase + "/ to talk");
            }
        }
    }

    private HttpResponse<String> send(String url, String method, String json, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
