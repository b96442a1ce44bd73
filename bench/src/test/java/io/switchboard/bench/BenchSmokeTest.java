package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark's one command in miniature (a few calls and webhooks for a few seconds), to keep the harness
 * working: every prompt and message gets exactly one reply, from the floor and from the dev stack, both child
 * processes whose CPU time is measured. Timings are not asserted. The agent is dev's EchoAgent.
 */
class BenchSmokeTest {
    @TempDir
    Path workDir;

    @Test
    void everyPromptAndMessageGetsExactlyOneReplyFromTheFloorAndFromDev() throws Exception {
        Load load = new Load(4, Duration.ofMillis(500), 20, 5, Duration.ofSeconds(4), Duration.ZERO,
                Duration.ofSeconds(20));
        BenchRun.Results results = BenchRun.run(SmallStack.options(load, true, workDir));

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

        // each target's own process did the work: CPU time in the window, per event
        assertThat(results.floorCpu().events()).isEqualTo(results.floor().voice().measured()
                + results.floor().messaging().measured()).isGreaterThan(0);
        assertThat(results.switchboardCpu().events()).isEqualTo(dev.voice().measured() + dev.messaging().measured());
        if (ProcessCpu.available()) {
            assertThat(results.floorCpu().targetNanos()).isPositive();
            assertThat(results.switchboardCpu().targetNanos()).isPositive();
            assertThat(results.switchboardCpu().loadGeneratorNanos()).isPositive();
            assertThat(results.switchboardPeakRssMib()).isPositive();
            // seconds after its start dev's JVM is still compiling: its compiler threads are found and counted
            assertThat(results.switchboardCpu().jitNanos()).isPositive()
                    .isLessThanOrEqualTo(results.switchboardCpu().targetNanos());
        }
        assertThat(Report.markdown(results)).contains("| **CPU ms per event (voice turn or message)** |");
        assertThat(workDir.resolve("dev.log")).content().contains("is ready");
        assertThat(workDir.resolve("dev-data")).doesNotExist();
    }
}
