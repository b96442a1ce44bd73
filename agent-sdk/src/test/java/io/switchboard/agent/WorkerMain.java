package io.switchboard.agent;

import io.switchboard.config.KafkaSettings;
import java.time.Duration;
import java.util.Map;

/** An agent worker as its own process, for the crash test: {@code WorkerMain <bootstrap> <group>}. */
public final class WorkerMain {
    private WorkerMain() {
    }

    static SwitchboardAgent.Builder worker(String bootstrap, String group, long handlerMillis) {
        // The classic protocol, whose session timeout a client sets: a killed worker's partitions move after 6 s.
        // Under KIP-848 (the default) the broker's group.consumer.session.timeout.ms decides, 45 s at the least.
        return SwitchboardAgent.builder(Map.of(KafkaSettings.GROUP_PROTOCOL, "classic"))
                .bootstrapServers(bootstrap)
                .groupId(group)
                .concurrency(8)
                .consumerProperty("session.timeout.ms", 6000)
                .consumerProperty("heartbeat.interval.ms", 1000)
                .onMessageReady((message, session, memory) -> {
                    Thread.sleep(handlerMillis);
                    return "re:" + message.text();
                });
    }

    public static void main(String[] args) throws Exception {
        // 200 handler threads of 3 s: the crash test's 200 conversations are all in flight when it is killed.
        SwitchboardAgent agent = worker(args[0], args[1], 3000).concurrency(200).build();
        agent.start();
        if (agent.awaitAssignment(Duration.ofSeconds(60))) {
            System.out.println("WORKER-ASSIGNED");
            System.out.flush();
        }
        Thread.currentThread().join();
    }
}
