package io.switchboard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.events.AgentEvent;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.testkit.AgentTraffic;
import io.switchboard.testkit.TestKafka;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** kill -9 of a worker process mid-handling: another worker answers everything, copies only with identical ids. */
class WorkerCrashTest {
    private static final Logger log = LoggerFactory.getLogger(WorkerCrashTest.class);

    @Test
    void aKilledWorkersMessagesAreAnsweredByTheNextWorkerWithTheSameIds() throws Exception {
        String prefix = "crash-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        String group = "agent-" + prefix;
        AgentTraffic.startAtEnd(group);
        Path output = Files.createTempFile("worker", ".log");
        Process worker = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), WorkerMain.class.getName(),
                TestKafka.bootstrapServers(), group)
                .redirectErrorStream(true).start();
        CountDownLatch assigned = new CountDownLatch(1);
        Thread pump = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    Files.writeString(output, line + "\n", java.nio.file.StandardOpenOption.APPEND);
                    if (line.contains("WORKER-ASSIGNED")) {
                        assigned.countDown();
                    }
                }
            } catch (Exception e) {
                // the process died
            }
        });
        pump.setDaemon(true);
        pump.start();
        try (AgentTraffic traffic = new AgentTraffic()) {
            assertThat(assigned.await(90, TimeUnit.SECONDS)).as("worker process joined; its output: " + output).isTrue();
            List<AgentEvent> sent = new ArrayList<>();
            int conversations = 200;
            for (int m = 0; m < 2; m++) {
                for (int c = 0; c < conversations; c++) {
                    sent.add(traffic.message(AgentTraffic.sms(prefix + c), "m" + m, 0));
                }
            }
            // 200 handler threads, 3 s each: kill it half-way through the first round, with the 200 first messages in
            // flight (handlers running, nothing answered yet) and the 200 second ones waiting behind them.
            Thread.sleep(1_500);
            worker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            int answeredByTheKilledWorker = traffic.withPrefix(prefix).size();
            log.info("Killed the worker after {} replies", answeredByTheKilledWorker);
            assertThat(answeredByTheKilledWorker).isLessThan(sent.size());

            try (SwitchboardAgent next = WorkerMain.worker(TestKafka.bootstrapServers(), group, 20).concurrency(50)
                    .meterRegistry(new SimpleMeterRegistry()).build()) {
                next.start();
                await().atMost(Duration.ofSeconds(90)).until(() -> traffic.withPrefix(prefix).stream()
                        .map(OutboundEvent::getInReplyTo).distinct().count() == sent.size());
                List<OutboundEvent> all = traffic.withPrefix(prefix);
                Map<String, List<OutboundEvent>> byId = all.stream().collect(Collectors.groupingBy(OutboundEvent::getEventId));
                assertThat(byId).hasSize(sent.size()); // one reply per message; copies share the id
                byId.forEach((id, copies) -> assertThat(copies).extracting(e -> ((Reply) e.getPayload()).getText()
                        + "|" + e.getInReplyTo()).containsOnly(((Reply) copies.get(0).getPayload()).getText() + "|"
                        + copies.get(0).getInReplyTo()));
                Map<String, String> expected = new HashMap<>();
                sent.forEach(e -> expected.put(e.getEventId(), "re:" + ((io.switchboard.events.agent.MessageReady) e.getPayload()).getText()));
                byId.values().forEach(copies -> assertThat(((Reply) copies.get(0).getPayload()).getText())
                        .isEqualTo(expected.get(copies.get(0).getInReplyTo())));
                for (int c = 0; c < conversations; c++) {
                    List<String> order = traffic.of(prefix + c).stream().map(e -> ((Reply) e.getPayload()).getText())
                            .distinct().toList();
                    assertThat(order).as("conversation %d in order", c).containsExactly("re:m0", "re:m1");
                }
                log.info("{} replies for {} messages ({} copies for outbound-sender to drop)", all.size(), sent.size(),
                        all.size() - sent.size());
            }
        } finally {
            worker.destroyForcibly();
        }
    }
}
