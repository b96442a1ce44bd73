package io.switchboard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * How long one worker takes for 1,000 conversations whose handler takes 1 s, as a multiple of that 1 s floor: with an
 * async handler and with blocking ones (on virtual threads where the JVM has them, on platform threads, and at a
 * concurrency of 100, which must take ten floors). Each row is the median and range of several runs on an in-process
 * broker (testkit). Skipped in the normal build; run it with
 *
 * <pre>
 * mvn -B -o -q -pl agent-sdk -am test -Dtest=ThousandConversationsBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dswitchboard.benchmark=true -Dswitchboard.test.jvm=-Xmx1g [-Dswitchboard.benchmark.runs=5]
 * </pre>
 *
 * (with {@code JAVA_HOME} at a Java 21+ JDK for the virtual-thread row).
 */
@EnabledIfSystemProperty(named = "switchboard.benchmark", matches = "true")
class ThousandConversationsBenchmark {
    private static final int CONVERSATIONS = 1_000;

    @Test
    void oneWorkerAThousandConversationsOneSecondHandlers() throws Exception {
        int runs = Integer.getInteger("switchboard.benchmark.runs", 3);
        // warm-up: JIT, the broker's first fetches, the group coordinator
        ThousandConversations.run(CONVERSATIONS, 1, ThousandConversations::async, Duration.ofSeconds(120));
        List<String> rows = new ArrayList<>();
        rows.add(row("async handler", runs, ThousandConversations::async));
        String threads = HandlerThreads.virtualAvailable() ? "virtual threads" : "platform threads (Java 17)";
        rows.add(row("blocking, default concurrency (1000), " + threads, runs, ThousandConversations::blocking));
        if (HandlerThreads.virtualAvailable()) {
            rows.add(row("blocking, default concurrency (1000), platform threads", runs,
                    b -> ThousandConversations.blocking(b).setting(AgentConfig.VIRTUAL_THREADS, "false")));
        }
        rows.add(row("blocking, SWITCHBOARD_AGENT_CONCURRENCY=100", 1,
                b -> ThousandConversations.blocking(b).concurrency(100)));
        System.out.printf(Locale.ROOT, "%n%,d conversations x one 1 s handler, one worker, Java %d (median [min-max] of the runs)%n",
                CONVERSATIONS, Runtime.version().feature());
        System.out.printf(Locale.ROOT, "%-66s %22s %s%n", "handler", "wall-clock", "x floor");
        rows.forEach(System.out::println);
    }

    private static String row(String what, int runs, UnaryOperator<SwitchboardAgent.Builder> handler) throws Exception {
        List<Double> seconds = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            ThousandConversations.Result result = ThousandConversations.run(CONVERSATIONS, 1, handler,
                    Duration.ofMinutes(5));
            assertThat(result.distinctReplyIds()).as("every conversation answered once").isEqualTo(CONVERSATIONS);
            seconds.add(result.elapsed().toMillis() / 1000.0);
        }
        Collections.sort(seconds);
        double median = seconds.get(seconds.size() / 2);
        double floor = ThousandConversations.HANDLER_TIME.toMillis() / 1000.0;
        return String.format(Locale.ROOT, "%-66s %6.2f s [%.2f-%.2f] %6.2fx", what, median, seconds.get(0),
                seconds.get(seconds.size() - 1), median / floor);
    }
}
