package io.switchboard.launcher.e2e;

import io.switchboard.testkit.FakeTwilioApi;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** An end-to-end test on the shared dev pipeline: started once per test JVM, closed when the tests end. */
@ExtendWith(Pipeline.Shared.class)
abstract class PipelineTest {
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static Pipeline pipeline;
    static FakeTwilioApi twilio;

    @BeforeAll
    static void startPipeline() throws Exception {
        pipeline = Pipeline.get();
        twilio = pipeline.twilio();
    }
}
