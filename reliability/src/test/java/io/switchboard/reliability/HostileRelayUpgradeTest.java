package io.switchboard.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.localtwilio.TwilioSignatures;
import io.switchboard.testkit.LogCapture;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The relay socket's abuse limits on the public port: at most INGRESS_MAX_RELAY_SOCKETS open sockets (a signed
 * upgrade beyond it gets 503 with Retry-After), and per remote address at most INGRESS_FORGED_UPGRADES_PER_MINUTE
 * upgrades with a bad signature, after which that address gets 429 before its signature is looked at. Every refusal
 * is counted by reason; none produces an event.
 */
class HostileRelayUpgradeTest {
    static final int MAX_SOCKETS = 2;
    static final int FORGED_PER_MINUTE = 3;
    static IngressUnderTest ingress;
    static LogCapture logs;
    static WebSocketClient client;

    @BeforeAll
    static void start() throws Exception {
        logs = LogCapture.install();
        ingress = new IngressUnderTest(Map.of("INGRESS_MAX_RELAY_SOCKETS", Integer.toString(MAX_SOCKETS),
                "INGRESS_FORGED_UPGRADES_PER_MINUTE", Integer.toString(FORGED_PER_MINUTE)));
        client = ingress.vertx.createWebSocketClient();
    }

    @AfterAll
    static void stop() {
        client.close();
        ingress.close();
        logs.close();
    }

    @Test
    void aSignedUpgradeBeyondTheSocketLimitGets503UntilASocketCloses() throws Exception {
        List<WebSocket> open = new ArrayList<>();
        for (int i = 0; i < MAX_SOCKETS; i++) {
            open.add(connect(IngressUnderTest.TOKEN, null));
        }
        long produced = ingress.producedRecords();

        assertThat(refusal(() -> connect(IngressUnderTest.TOKEN, null))).isEqualTo(503);
        assertThat(refused("capacity")).isEqualTo(1);
        assertThat(logs.containing("INGRESS_MAX_RELAY_SOCKETS")).hasSize(1);

        open.remove(0).close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        // The closed socket's slot is free again: a new call gets its socket.
        WebSocket next = Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> connect(IngressUnderTest.TOKEN, null), ws -> ws != null);
        open.add(next);
        assertThat(ingress.producedRecords()).as("no setup was sent: nothing to produce").isEqualTo(produced);
        for (WebSocket ws : open) {
            ws.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void anAddressThatSpentItsForgedUpgradeBudgetGets429BeforeAnySignatureWork() throws Exception {
        String forger = "198.51.100.7";
        long produced = ingress.producedRecords();
        for (int i = 0; i < FORGED_PER_MINUTE; i++) {
            assertThat(refusal(() -> connect("forged-token", forger))).isEqualTo(403);
        }
        double signatureRefusals = refused("signature");
        int refusalLines = logs.containing("Refused relay upgrade from " + forger).size();

        for (int i = 0; i < 20; i++) {
            assertThat(refusal(() -> connect("forged-token", forger))).isEqualTo(429);
        }
        // Even a correctly signed upgrade from that address is not looked at until its minute is over.
        assertThat(refusal(() -> connect(IngressUnderTest.TOKEN, forger))).isEqualTo(429);

        assertThat(refused("forged_budget")).isEqualTo(21);
        assertThat(refused("signature")).as("no signature was checked after the budget").isEqualTo(signatureRefusals);
        assertThat(logs.containing("Refused relay upgrade from " + forger)).as("a flood does not flood the log")
                .hasSize(refusalLines);
        assertThat(logs.containing("relay upgrades with a bad signature from " + forger)).hasSize(1);

        // Another address is not affected by the forger's budget.
        connect(IngressUnderTest.TOKEN, "203.0.113.20").close().toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        assertThat(ingress.producedRecords()).isEqualTo(produced);
    }

    interface Upgrade {
        WebSocket run() throws Exception;
    }

    /** The HTTP status an upgrade was refused with. */
    private static int refusal(Upgrade upgrade) {
        List<Integer> status = new ArrayList<>();
        assertThatThrownBy(upgrade::run).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(UpgradeRejectedException.class)
                .satisfies(e -> status.add(((UpgradeRejectedException) e).getStatus()));
        return status.get(0);
    }

    private static double refused(String reason) {
        return ingress.meters.get("switchboard.ingress.relay.upgrades.refused").tag("reason", reason).counter().count();
    }

    /** An upgrade signed with {@code token} (TAC's form: the ws:// URL), as if through a proxy for {@code from}. */
    private static WebSocket connect(String token, String from) throws Exception {
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(ingress.port())
                .setURI("/ws").addHeader("X-Twilio-Signature",
                        TwilioSignatures.sign(token, "ws://127.0.0.1:" + ingress.port() + "/ws", Map.of()));
        if (from != null) {
            options.addHeader("X-Forwarded-For", from);
        }
        return client.connect(options).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
