package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.config.InvalidConfigurationException;
import io.switchboard.service.ManagedService;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code dev} and the {@code agent} sub-command run the LLM agent when an endpoint is configured, else the echo agent. */
class AgentSelectionTest {

    private static ManagedService agent(Map<String, String> env) throws Exception {
        ServiceDefinition agent = Services.all().stream().filter(d -> d.command().equals("agent")).findFirst().orElseThrow();
        Map<String, String> withKafka = new java.util.HashMap<>(env);
        withKafka.put("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
        try (ServiceContext context = new ServiceContext(withKafka, false)) {
            return agent.factory().create(context); // built, not started: nothing connects
        }
    }

    @Test
    void withoutAnEndpointTheEchoAgentRuns() throws Exception {
        assertThat(agent(Map.of()).name()).isEqualTo("agent:echo-agent");
    }

    @Test
    void anOpenAiCompatibleEndpointSelectsTheLlmAgent() throws Exception {
        assertThat(agent(Map.of("OPENAI_BASE_URL", "http://localhost:11434/v1", "OPENAI_MODEL", "llama3.2")).name())
                .isEqualTo("agent:llm-agent");
    }

    @Test
    void anEndpointWithoutAModelStopsTheStartNamingTheVariable() {
        assertThatThrownBy(() -> agent(Map.of("OPENAI_BASE_URL", "http://localhost:11434/v1")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("OPENAI_MODEL");
    }
}
