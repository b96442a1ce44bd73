package io.switchboard.agent;

import java.time.Duration;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * Prints how long one worker takes for 1,000 conversations whose handler takes 1 s, as a multiple of that 1 s floor:
 * with an async handler, and with a blocking one at the default {@code SWITCHBOARD_AGENT_CONCURRENCY} (1,000) and at 100.
 * Runs on an in-process broker (testkit):
 *
 * <pre>
 * mvn -o -q -pl agent-sdk -am test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.switchboard.agent.ThousandConversationsBenchmark
 * </pre>
 */
public final class ThousandConversationsBenchmark {
    private ThousandConversationsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int conversations = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        // warm-up: JIT, the broker's first fetches, the group coordinator
        ThousandConversations.run(conversations, 1, ThousandConversations::async, Duration.ofSeconds(120));
        report("async handler", conversations, ThousandConversations::async);
        report("blocking handler, default concurrency (" + AgentConfig.DEFINITION.defaultValues()
                .get(AgentConfig.CONCURRENCY) + " threads)", conversations, ThousandConversations::blocking);
        report("blocking handler, SWITCHBOARD_AGENT_CONCURRENCY=100", conversations,
                b -> ThousandConversations.blocking(b).concurrency(100));
        System.exit(0); // the in-process broker's threads
    }

    private static void report(String what, int conversations, UnaryOperator<SwitchboardAgent.Builder> handler)
            throws Exception {
        ThousandConversations.Result result = ThousandConversations.run(conversations, 1, handler, Duration.ofMinutes(5));
        boolean allAnswered = result.distinctReplyIds() == conversations;
        System.out.println(String.format(Locale.ROOT, "%,d conversations x 1 s %s: %.1f s = %.1fx the floor%s",
                conversations, what, result.elapsed().toMillis() / 1000.0, result.ratioToFloor(),
                allAnswered ? "" : " (NOT ALL ANSWERED)"));
    }
}
