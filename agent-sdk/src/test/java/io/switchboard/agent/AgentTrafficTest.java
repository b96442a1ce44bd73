package io.switchboard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.testkit.AgentTraffic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * Agent tests on the shared test broker: one {@link AgentTraffic} per class (what the router would write, what the
 * agents wrote), unique conversation and group ids per test, every agent a test started stopped after it.
 */
abstract class AgentTrafficTest {
    static AgentTraffic traffic;
    final List<SwitchboardAgent> agents = new ArrayList<>();
    final String prefix = "t-" + UUID.randomUUID().toString().substring(0, 8) + "-";

    @BeforeAll
    static void startTraffic() {
        traffic = new AgentTraffic();
    }

    @AfterAll
    static void stopTraffic() {
        traffic.close();
    }

    @AfterEach
    void stopAgents() {
        agents.forEach(SwitchboardAgent::close);
        agents.clear();
    }

    /** Starts an agent in a new group that begins at the current end of tac.agent.v1; returns once it has partitions. */
    SwitchboardAgent start(SwitchboardAgent.Builder builder) throws Exception {
        return start(builder, new SimpleMeterRegistry());
    }

    SwitchboardAgent start(SwitchboardAgent.Builder builder, MeterRegistry meters) throws Exception {
        String group = "agent-" + prefix + agents.size();
        AgentTraffic.startAtEnd(group);
        SwitchboardAgent agent = builder.groupId(group).meterRegistry(meters).build();
        agents.add(agent);
        agent.start();
        assertThat(agent.awaitAssignment(Duration.ofSeconds(30))).isTrue();
        return agent;
    }
}
