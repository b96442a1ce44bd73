package io.switchboard.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The benchmark's options for a test: a small dev (two partitions) and children as small as the test JVM. */
final class SmallStack {
    /** The children as small as the test JVM (see the parent POM's surefire argLine). */
    static final List<String> CHILD_JVM = List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private SmallStack() {
    }

    static BenchRun.Options options(Load load, boolean floor, Path workDir) {
        return new BenchRun.Options(load, floor, null, BenchRun.AUTH_TOKEN, 0,
                Map.of("SWITCHBOARD_TOPIC_PARTITIONS", "2", "SWITCHBOARD_VOICE_EGRESS_PARTITIONS", "1"), Set.of(), false,
                CHILD_JVM, false, workDir);
    }
}
