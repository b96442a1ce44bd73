package io.switchboard.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.testkit.RelayClient;
import io.switchboard.testkit.TestKafka;
import io.switchboard.testkit.TestSchemaRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The TypeScript agent in the {@code registry} framing against the real Apicurio Registry: the Java services write
 * and read Confluent-framed records through Apicurio's serdes, the agent through the registry's Confluent-compatible
 * API ({@code @kafkajs/confluent-schema-registry}). A reply reaching the fake Twilio API or the relay socket was
 * written by the agent in that framing: the outbound-sender here reads nothing else.
 */
class TypeScriptAgentRegistryTest {
    static PipelineWithoutAgent pipeline;
    static TypeScriptAgentProcess agent;

    @BeforeAll
    static void start() throws Exception {
        TypeScriptAgentProcess.checkBuilt();
        TestSchemaRegistry.startInBackground();
        TestKafka.shared();
        pipeline = new PipelineWithoutAgent(TestSchemaRegistry.env(Map.of()));
        agent = new TypeScriptAgentProcess("registry", Map.of("KAFKA_BOOTSTRAP_SERVERS", TestKafka.bootstrapServers(),
                "SWITCHBOARD_AGENT_GROUP_ID", "ts-registry-agent-" + UUID.randomUUID().toString().substring(0, 8),
                "SWITCHBOARD_SERDE", "registry", "SCHEMA_REGISTRY_URL", TestSchemaRegistry.url()));
        agent.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void anSmsAndACallAreAnsweredInTheRegistryFraming() throws Exception {
        String conversation = "conv_ts_registry_" + UUID.randomUUID().toString().substring(0, 8);
        pipeline.deliver(conversation, "hello registry");
        await().atMost(Duration.ofSeconds(60)).until(() -> !pipeline.replies(conversation).isEmpty());
        Thread.sleep(1_000); // a second send would have come by now
        assertThat(pipeline.replies(conversation)).containsExactly("You said: hello registry");

        try (RelayClient call = RelayClient.connect(pipeline.vertx, pipeline.port, PipelineWithoutAgent.TOKEN)) {
            call.setup("CA" + UUID.randomUUID().toString().replace("-", "")).prompt("hi there");
            await().atMost(Duration.ofSeconds(30)).until(() -> call.received("text").stream()
                    .anyMatch(f -> f.getBoolean("last", false)));
            assertThat(call.received("text")).extracting(f -> f.getString("token"))
                    .containsExactly("You", " said:", " hi", " there", "");
        }
    }
}
