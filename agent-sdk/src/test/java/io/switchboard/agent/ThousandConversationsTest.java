package io.switchboard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Acceptance: one worker, 1,000 conversations, a handler that takes a second: every message answered once, each
 * conversation's replies in order. Correctness only; {@link ThousandConversationsBenchmark} prints the time.
 */
class ThousandConversationsTest {

    @Test
    void oneWorkerAnswersAThousandConversationsOfSlowAsyncHandlersEachInOrder() throws Exception {
        ThousandConversations.Result result = ThousandConversations.run(1_000, 2, ThousandConversations::async,
                Duration.ofSeconds(120));

        assertThat(result.distinctReplyIds()).isEqualTo(2_000);
        assertThat(result.repliesByConversation()).hasSize(1_000)
                .allSatisfy((c, replies) -> assertThat(replies).as("conversation %d", c).containsExactly("re:m0", "re:m1"));
        System.out.printf("1,000 conversations x 2 messages x 1 s async handler: %.1f s = %.1fx the 2 s floor%n",
                result.elapsed().toMillis() / 1000.0, result.ratioToFloor());
    }
}
