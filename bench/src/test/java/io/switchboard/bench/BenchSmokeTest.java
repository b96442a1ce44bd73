package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's one command in miniature (a few calls and webhooks for a few seconds), to keep the harness
 * working: every prompt and message gets exactly one reply, from the floor and from the dev stack. Timings are not
 * asserted. The agent is dev's EchoAgent.
 */
class BenchSmokeTest {

    @Test
    void everyPromptAndMessageGetsExactlyOneReplyFromTheFloorAndFromDev() throws Exception {
        Load load = new Load(4, Duration.ofMillis(500), 20, 5, Duration.ofSeconds(4), Duration.ZERO,
                Duration.ofSeconds(20));
        BenchRun.Results results = BenchRun.run(new BenchRun.Options(load, true, null, BenchRun.AUTH_TOKEN, 0,
                Map.of("SWITCHBOARD_TOPIC_PARTITIONS", "2", "SWITCHBOARD_VOICE_EGRESS_PARTITIONS", "1"), java.util.Set.of(), false));

        for (LoadGenerator.Result run : new LoadGenerator.Result[] {results.floor(), results.switchboard()}) {
            assertThat(run.connectFailures()).isZero();
            assertThat(run.voice().sent()).isGreaterThanOrEqualTo(4);
            assertThat(run.voice().lost()).as("voice replies lost").isZero();
            assertThat(run.voice().duplicates()).as("voice replies duplicated").isZero();
            assertThat(run.voice().unknownReplies()).isZero();
            assertThat(run.messaging().accepted()).isEqualTo(run.messaging().sent()).isGreaterThanOrEqualTo(40);
            assertThat(run.messaging().lost()).as("messaging replies lost").isZero();
            assertThat(run.messaging().duplicates()).as("messaging replies duplicated").isZero();
            assertThat(run.messaging().errors() + run.messaging().unknownReplies() + run.sinkOtherRequests()).isZero();
        }
        // every turn is followed through the topics by id, to its first reply
        LoadGenerator.Result dev = results.switchboard();
        assertThat(results.hops().followed("voice")).isEqualTo(dev.voice().sent());
        assertThat(results.hops().answered("voice")).isEqualTo(dev.voice().sent());
        assertThat(results.hops().followed("messaging")).isEqualTo(dev.messaging().accepted());
        assertThat(results.hops().answered("messaging")).isEqualTo(dev.messaging().accepted());
        assertThat(Report.markdown(results)).contains("| voice: prompt → first token |", "messaging replies lost");
        assertThat(Report.markdown(results)).contains("| voice: tac.outbound → tac.voice.egress (outbound-sender) |");
    }
}
