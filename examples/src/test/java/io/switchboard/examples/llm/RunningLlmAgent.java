package io.switchboard.examples.llm;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.agent.SwitchboardAgent;
import io.switchboard.testkit.AgentTraffic;
import io.switchboard.testkit.FakeOpenAi;
import io.switchboard.testkit.TestKafka;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The LLM example agent started on the shared test broker against a local OpenAI-compatible endpoint, in a new
 * consumer group that begins at the current end of tac.agent.v1, with the traffic a test writes and reads.
 */
final class RunningLlmAgent implements AutoCloseable {
    final FakeOpenAi openAi;
    final AgentTraffic traffic;
    final SwitchboardAgent agent;

    private RunningLlmAgent(FakeOpenAi openAi, AgentTraffic traffic, SwitchboardAgent agent) {
        this.openAi = openAi;
        this.traffic = traffic;
        this.agent = agent;
    }

    /** {@code settings}: the agent's environment besides Kafka and {@code OPENAI_BASE_URL}. */
    static RunningLlmAgent start(String groupPrefix, Map<String, String> settings) throws Exception {
        FakeOpenAi openAi = FakeOpenAi.start();
        AgentTraffic traffic = new AgentTraffic();
        Map<String, String> given = new HashMap<>(settings);
        given.put(LlmConfig.BASE_URL, openAi.baseUrl());
        Map<String, String> env = TestKafka.env(given);
        String group = groupPrefix + UUID.randomUUID();
        AgentTraffic.startAtEnd(group); // the shared topic holds other tests' events
        SwitchboardAgent agent = LlmAgent.create(SwitchboardAgent.builder(env).groupId(group)
                .meterRegistry(new SimpleMeterRegistry()), LlmConfig.fromEnv(env));
        RunningLlmAgent running = new RunningLlmAgent(openAi, traffic, agent);
        agent.start();
        return running;
    }

    @Override
    public void close() throws Exception {
        agent.close();
        traffic.close();
        openAi.close();
    }
}
