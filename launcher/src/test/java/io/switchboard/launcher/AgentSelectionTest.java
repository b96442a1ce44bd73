package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.agent.AgentConfig;
import io.switchboard.config.InvalidConfigurationException;
import io.switchboard.examples.llm.LlmAgent;
import io.switchboard.service.ManagedService;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code dev} and the {@code agent} sub-command run the LLM agent when an endpoint is configured, else the echo agent;
 * both in SWITCHBOARD_AGENT_GROUP_ID's group, whose default is the SDK's (the README's scaling instructions rely on it).
 */
class AgentSelectionTest {

    private static ManagedService agent(Map<String, String> env) throws Exception {
        ServiceDefinition agent = Services.all().stream().filter(d -> d.command().equals("agent")).findFirst().orElseThrow();
        Map<String, String> withKafka = new java.util.HashMap<>(env);
        withKafka.put("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
        try (ServiceContext context = new ServiceContext(withKafka)) {
            return agent.factory().create(context); // built, not started: nothing connects
        }
    }

    @Test
    void withoutAnEndpointTheEchoAgentRunsInTheDocumentedDefaultGroup() throws Exception {
        List<String> logged = llmLog(() -> assertThat(agent(Map.of()).name())
                .isEqualTo("agent:" + AgentConfig.DEFINITION.defaultValues().get(AgentConfig.GROUP_ID)));
        assertThat(logged).noneMatch(line -> line.startsWith("LLM agent"));
        assertThat(agent(Map.of(AgentConfig.GROUP_ID, "responder")).name()).isEqualTo("agent:responder");
    }

    @Test
    void anOpenAiCompatibleEndpointSelectsTheLlmAgentInTheSameDefaultGroup() throws Exception {
        List<String> logged = llmLog(() -> assertThat(agent(Map.of("OPENAI_BASE_URL", "http://localhost:11434/v1",
                "OPENAI_MODEL", "llama3.2")).name()).isEqualTo("agent:switchboard-agent"));
        assertThat(logged).anyMatch(line -> line.startsWith("LLM agent: model llama3.2"));
    }

    interface Check {
        void run() throws Exception;
    }

    /** What the LLM example agent logged while {@code check} ran: it says so when it is the one built. */
    private static List<String> llmLog(Check check) throws Exception {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(LlmAgent.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
                new ch.qos.logback.core.read.ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            check.run();
        } finally {
            logger.detachAppender(appender);
        }
        return appender.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void anEndpointWithoutAModelStopsTheStartNamingTheVariable() {
        assertThatThrownBy(() -> agent(Map.of("OPENAI_BASE_URL", "http://localhost:11434/v1")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("OPENAI_MODEL");
    }
}
