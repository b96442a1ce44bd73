package io.switchboard.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.agent.CallSetup;
import io.switchboard.testkit.RelayClient;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Every relay frame an agent can send (issue 20 item 4), from the SDK through tac.outbound.v1, outbound-sender and
 * the egress topic to the caller's socket; and onCallStarted before the first prompt.
 */
class RelayFramesEndToEndTest extends PipelineTest {
    private static String newCallSid() {
        return "CA" + UUID.randomUUID().toString().replace("-", "");
    }

    @Test
    void languagePlayFlaggedTextAndDigitsReachTheSocketInTheOrderTheAgentSentThem() {
        try (RelayClient call = RelayClient.connect(pipeline.vertx, pipeline.port, Pipeline.AUTH_TOKEN)) {
            call.setup(newCallSid()).prompt("every frame");
            call.awaitFrame(f -> "sendDigits".equals(f.getString("type")));
            List<JsonObject> frames = call.received();
            assertThat(frames).extracting(f -> f.getString("type"))
                    .containsExactly("language", "play", "text", "text", "text", "sendDigits");
            assertThat(frames.get(0)).isEqualTo(new JsonObject().put("type", "language")
                    .put("ttsLanguage", "es-MX").put("transcriptionLanguage", "es-MX"));
            assertThat(frames.get(1)).isEqualTo(new JsonObject().put("type", "play")
                    .put("source", "https://example.com/hold.mp3").put("loop", 2).put("preemptible", true)
                    .put("interruptible", false));
            assertThat(frames.subList(2, 5)).allSatisfy(text -> {
                assertThat(text.getString("lang")).isEqualTo("es-MX");
                assertThat(text.getBoolean("interruptible")).isFalse();
                assertThat(text.getBoolean("preemptible")).isTrue();
            });
            assertThat(frames.subList(2, 5)).extracting(f -> f.getString("token")).containsExactly("Hola", " amigo", "");
            assertThat(frames.get(4).getBoolean("last")).isTrue();
            assertThat(frames.get(5)).isEqualTo(new JsonObject().put("type", "sendDigits").put("digits", "9w1"));
        }
    }

    @Test
    void onCallStartedGetsTheSetupBeforeTheFirstPromptAndItsGreetingIsSpokenFirst() {
        String callSid = newCallSid();
        try (RelayClient call = RelayClient.connect(pipeline.vertx, pipeline.port, Pipeline.AUTH_TOKEN)) {
            call.setup(callSid, Map.of("greeting", "Welcome to Owl Shoes"));
            await().atMost(TIMEOUT).until(() -> pipeline.setups.stream().anyMatch(s -> s.callSid().equals(callSid)));
            CallSetup setup = pipeline.setups.stream().filter(s -> s.callSid().equals(callSid)).findFirst().orElseThrow();
            assertThat(setup.customParameters()).containsEntry("greeting", "Welcome to Owl Shoes");
            assertThat(setup.from()).isNotBlank();
            assertThat(setup.sessionId()).isNotBlank();

            call.prompt("hello");
            call.awaitFrame(f -> f.getString("token", "").contains("hello"));
            assertThat(call.received("text").get(0).getString("token")).isEqualTo("Welcome to Owl Shoes");
            assertThat(call.spokenText()).startsWith("Welcome to Owl Shoes").endsWith("You said: hello");
        }
    }
}
