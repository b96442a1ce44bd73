package io.switchboard.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.ingress.IngressConfig;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.testkit.LogCapture;
import io.switchboard.testkit.TestKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The development switch that skips X-Twilio-Signature cannot be left on by accident: it warns loudly at start and
 * on every request it lets through, and the ingress process refuses to start with it when a real account SID is
 * configured.
 */
class InsecureSkipSignatureFlagTest {
    static final String FLAG = IngressConfig.INSECURE_SKIP_SIGNATURE;

    @Test
    void theFlagWarnsAtStartAndOnEveryUnsignedRequestItLetsThrough() throws Exception {
        try (LogCapture logs = LogCapture.install();
                IngressUnderTest ingress = new IngressUnderTest(Map.of(FLAG, "true"))) {
            assertThat(logs.containing(FLAG)).as("warning at start").hasSize(1);
            byte[] body = TwilioWebhooks.communicationCreated("SMS", "conv_insecure", "comms_insecure_" + System.nanoTime(),
                    TwilioWebhooks.CUSTOMER, "unsigned").getBytes(StandardCharsets.UTF_8);
            long before = ingress.producedRecords();
            for (int i = 0; i < 2; i++) {
                assertThat(ingress.post("/webhook", "application/json", body, Map.of()).status()).isEqualTo(200);
            }
            assertThat(ingress.producedRecords()).isGreaterThan(before);
            assertThat(logs.containing(FLAG)).as("one more warning per request").hasSize(3)
                    .allMatch(line -> line.contains("SignatureCheck"));
        }
    }

    @Test
    void theIngressProcessRefusesToStartWithTheFlagAndARealAccountSid() throws Exception {
        Path jar = ChildServices.JAR;
        assertThat(jar).as("build launcher first (mvn -pl reliability -am verify)").exists();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(), "ingress");
        builder.environment().putAll(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", TestKafka.bootstrapServers(),
                "TWILIO_ACCOUNT_SID", "AC" + "5f".repeat(16),
                "TWILIO_AUTH_TOKEN", "a-real-looking-token",
                "PORT", "0",
                "SWITCHBOARD_OPERATOR_PORT", "0",
                FLAG, "true"));
        Process process = builder.redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isEqualTo(2);
        assertThat(output).contains(FLAG).contains("TWILIO_ACCOUNT_SID").doesNotContain("\tat ")
                .doesNotContain("5f".repeat(16));
    }
}
