package io.switchboard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.testkit.AgentTraffic;
import io.switchboard.testkit.TestKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Workers join and leave one group under load: nothing lost, no reply doubled, each conversation in order. */
class ScalingTest {
    private static final Logger log = LoggerFactory.getLogger(ScalingTest.class);

    private static SwitchboardAgent worker(String group) {
        return SwitchboardAgent.builder(TestKafka.env(Map.of())).groupId(group).concurrency(20)
                .meterRegistry(new SimpleMeterRegistry())
                .onMessageReady((message, session, memory) -> {
                    Thread.sleep(100);
                    return "re:" + message.text();
                }).build();
    }

    @Test
    void scalingFromOneToThreeWorkersAndBackUnderLoadLosesNothingAndKeepsOrder() throws Exception {
        String prefix = "scale-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        String group = "agent-" + prefix;
        AgentTraffic.startAtEnd(group);
        int conversations = 60;
        java.util.concurrent.atomic.AtomicInteger rounds = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        try (AgentTraffic traffic = new AgentTraffic(); SwitchboardAgent first = worker(group)) {
            first.start();
            Thread producer = new Thread(() -> {
                // one message per conversation every 500 ms until the test has scaled up and down again
                for (int m = 0; !stop.get() && m < 200; m++) {
                    for (int c = 0; c < conversations; c++) {
                        traffic.message(AgentTraffic.sms(prefix + c), "m" + m, 0);
                    }
                    rounds.incrementAndGet();
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            producer.start();
            await().until(() -> traffic.withPrefix(prefix).size() >= 20);
            SwitchboardAgent second = worker(group);
            SwitchboardAgent third = worker(group);
            second.start();
            third.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> second.assignedPartitions() > 0
                    && third.assignedPartitions() > 0 && first.assignedPartitions() < 12);
            int atThree = traffic.withPrefix(prefix).size();
            await().atMost(Duration.ofSeconds(60)).until(() -> traffic.withPrefix(prefix).size() >= atThree + conversations);
            second.close();
            third.close();
            await().atMost(Duration.ofSeconds(60)).until(() -> first.assignedPartitions() == 12);
            int afterScaleDown = rounds.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> rounds.get() >= afterScaleDown + 2);
            stop.set(true);
            producer.join();
            int messages = rounds.get();
            await().atMost(Duration.ofSeconds(90)).until(() -> traffic.withPrefix(prefix).stream()
                    .map(OutboundEvent::getEventId).distinct().count() == (long) conversations * messages);
            List<String> expected = java.util.stream.IntStream.range(0, messages).mapToObj(m -> "re:m" + m).toList();

            List<OutboundEvent> all = traffic.withPrefix(prefix);
            Map<String, List<OutboundEvent>> byId = all.stream().collect(Collectors.groupingBy(OutboundEvent::getEventId));
            byId.forEach((id, copies) -> assertThat(copies).extracting(e -> ((Reply) e.getPayload()).getText())
                    .containsOnly(((Reply) copies.get(0).getPayload()).getText()));
            for (int c = 0; c < conversations; c++) {
                assertThat(traffic.of(prefix + c).stream().map(e -> ((Reply) e.getPayload()).getText()).distinct())
                        .as("conversation %d", c).containsExactlyElementsOf(expected);
            }
            log.info("{} replies for {} messages ({} copies with identical ids)", all.size(), byId.size(),
                    all.size() - byId.size());
        }
    }
}
