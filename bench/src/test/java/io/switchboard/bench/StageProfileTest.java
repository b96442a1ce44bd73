package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The profile end to end on this JVM: a flight recording with the profile settings, threads named like the
 * router's stream thread and a Vert.x event loop burning CPU, the window's CPU read from /proc, and the recording's
 * threads matched to /proc's by OS thread id.
 */
class StageProfileTest {
    @TempDir
    Path dir;

    @Test
    void busyThreadsCpuIsChargedToTheirStages() throws Exception {
        assumeTrue(ProcessCpu.available(), "no /proc here");
        Path file = dir.resolve("test.jfr");
        CpuWindow window = new CpuWindow(ProcessHandle.current().pid());
        AtomicBoolean burning = new AtomicBoolean(true);
        try (Recording recording = new Recording(Configuration.getConfiguration("profile"))) {
            recording.start();
            window.opened();
            Thread router = burner("switchboard-router-6e4c-StreamThread-1", burning);
            Thread loop = burner("vert.x-eventloop-thread-7", burning);
            Thread.sleep(1_500);
            window.closed(); // a thread's CPU is read while it lives
            burning.set(false);
            router.join();
            loop.join();
            recording.stop();
            recording.dump(file);
        }

        StageProfile profile = StageProfile.read(file, window, 10, "event");

        assertThat(profile.cpuNanos(Stage.ROUTER)).isGreaterThan(100_000_000L);
        assertThat(profile.samples(Stage.ROUTER)).isPositive();
        // the event loop ran no Switchboard code: its CPU is the loops' own
        assertThat(profile.cpuNanos(Stage.EVENT_LOOP)).isGreaterThan(100_000_000L);
        assertThat(profile.markdown()).contains("| router |", "| CPU by stage", "hot method", file.toString());
    }

    private static Thread burner(String name, AtomicBoolean burning) {
        Thread thread = new Thread(() -> {
            double x = 0;
            while (burning.get()) {
                x += Math.sqrt(System.nanoTime());
            }
            if (x < 0) {
                System.out.print("");
            }
        }, name);
        thread.start();
        return thread;
    }
}
