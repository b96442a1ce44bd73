package io.switchboard.agent;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * One worker, many conversations, a handler that takes one second: the acceptance scenario of the agent SDK, shared
 * by {@link ThousandConversationsTest} (correctness) and {@link ThousandConversationsBenchmark} (the figure).
 */
final class ThousandConversations {
    static final Duration HANDLER_TIME = Duration.ofSeconds(1);
    private static final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "one-second-timer");
        t.setDaemon(true);
        return t;
    });

    /** What a run produced: every conversation's reply texts in topic order, and the wall-clock time. */
    record Result(int conversations, int messagesPerConversation, Duration elapsed,
                  Map<Integer, List<String>> repliesByConversation, long distinctReplyIds) {
        /** The wall-clock time over the floor (messages per conversation × the handler's one second). */
        double ratioToFloor() {
            return elapsed.toMillis() / (double) (messagesPerConversation * HANDLER_TIME.toMillis());
        }
    }

    private ThousandConversations() {
    }

    /** An async handler: the reply is ready one second later, completed by a timer; no thread waits. */
    static SwitchboardAgent.Builder async(SwitchboardAgent.Builder builder) {
        return builder.onMessageReadyAsync((message, session, memory) -> {
            CompletableFuture<String> reply = new CompletableFuture<>();
            timer.schedule(() -> reply.complete("re:" + message.text()), HANDLER_TIME.toMillis(), TimeUnit.MILLISECONDS);
            return reply;
        });
    }

    /** A blocking handler: a worker thread sleeps one second. */
    static SwitchboardAgent.Builder blocking(SwitchboardAgent.Builder builder) {
        return builder.onMessageReady((message, session, memory) -> {
            Thread.sleep(HANDLER_TIME.toMillis());
            return "re:" + message.text();
        });
    }

    /**
     * Starts one worker, waits for its partitions, writes {@code messages} messages to each of {@code conversations}
     * conversations (m0 of all, then m1 of all, ...) and waits until every one is answered.
     */
    static Result run(int conversations, int messages, UnaryOperator<SwitchboardAgent.Builder> handler, Duration timeout)
            throws Exception {
        String prefix = "k-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        String group = "agent-" + prefix;
        AgentTraffic.startAtEnd(group);
        try (AgentTraffic traffic = new AgentTraffic();
             SwitchboardAgent worker = handler.apply(SwitchboardAgent.builder(TestKafka.env(Map.of())).groupId(group)
                     .meterRegistry(new SimpleMeterRegistry())).build()) {
            worker.start();
            if (!worker.awaitAssignment(Duration.ofSeconds(60))) {
                throw new IllegalStateException("the worker got no partitions");
            }
            long started = System.nanoTime();
            for (int m = 0; m < messages; m++) {
                for (int c = 0; c < conversations; c++) {
                    traffic.messageUnflushed(AgentTraffic.sms(prefix + c), "m" + m, 0);
                }
            }
            traffic.flush();
            long expected = (long) conversations * messages;
            await().atMost(timeout).pollInterval(Duration.ofMillis(20))
                    .until(() -> traffic.withPrefix(prefix).size() >= expected);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            List<OutboundEvent> all = traffic.withPrefix(prefix);
            Map<Integer, List<String>> byConversation = all.stream().collect(Collectors.groupingBy(
                    e -> Integer.parseInt(e.getConversationId().substring(prefix.length())),
                    Collectors.mapping(e -> ((Reply) e.getPayload()).getText(), Collectors.toList())));
            IntStream.range(0, conversations).forEach(c -> byConversation.putIfAbsent(c, List.of()));
            return new Result(conversations, messages, elapsed, byConversation,
                    all.stream().map(OutboundEvent::getEventId).distinct().count());
        }
    }
}
