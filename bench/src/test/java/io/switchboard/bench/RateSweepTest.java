package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep's rule for "keeps up", and the sweep itself on a small dev stack. */
class RateSweepTest {
    @TempDir
    Path workDir;

    @Test
    void aRateKeepsUpOnlyWithNothingLostFastRepliesAndABoundedBacklog() {
        assertThat(step(100, 100, 20, 0, 50).shortfall()).isNull();
        assertThat(step(100, 100, 20, 1, 50).shortfall()).contains("1 messaging replies lost");
        assertThat(step(100, 100, 400, 0, 50).shortfall()).contains("reply p99 4");
        assertThat(step(100, 100, 20, 0, 500).shortfall()).isNull();
        assertThat(step(100, 100, 20, 0, 501).shortfall()).isEqualTo("backlog 501");
        assertThat(step(100, 90, 20, 0, 50).shortfall()).isEqualTo("only 90/s accepted");
    }

    @Test
    void sweepsUpwardOnOneDevStackAndNamesTheHighestRateThatKeepsUp() throws Exception {
        Load load = new Load(2, Duration.ofMillis(500), 0, 5, Duration.ofSeconds(3), Duration.ZERO,
                Duration.ofSeconds(20));
        RateSweep.Results results = RateSweep.run(SmallStack.options(load, false, workDir), List.of(20, 10));

        assertThat(results.steps()).extracting(RateSweep.Step::rate).startsWith(10);
        RateSweep.Step first = results.steps().get(0);
        assertThat(first.result().messaging().accepted()).isGreaterThanOrEqualTo(25);
        assertThat(first.lost()).isZero();
        assertThat(first.duplicated()).isZero();
        assertThat(first.backlog().error()).isNull();
        assertThat(RateSweep.markdown(results)).contains("| 10 | ", "webhooks/s");
        if (results.highest().isPresent()) {
            assertThat(RateSweep.markdown(results)).contains("Highest rate that keeps up: **"
                    + results.highest().getAsInt() + " webhooks/s**");
        }
    }

    /** A step at {@code rate} whose messages were all answered after {@code replyMs}, {@code lost} never. */
    private static RateSweep.Step step(int rate, double acceptedPerSecond, long replyMs, int lost, long backlog) {
        Outcomes messaging = new Outcomes();
        for (int i = 0; i < 100; i++) {
            Outcomes.Entry entry = messaging.sent("m" + i, 0, true);
            entry.acceptedNs = 1;
            if (i >= lost) {
                messaging.replied("m" + i, 1 + TimeUnit.MILLISECONDS.toNanos(replyMs));
            }
        }
        LoadGenerator.Result result = new LoadGenerator.Result(new Outcomes().summarize(), messaging.summarize(),
                acceptedPerSecond, 0, 0, "");
        return new RateSweep.Step(rate, result, new CpuWindow.CpuUse(1, -1, -1, -1, 100),
                new Backlog.Lags(Map.of("agent on tac.agent.v1", backlog), null));
    }
}
