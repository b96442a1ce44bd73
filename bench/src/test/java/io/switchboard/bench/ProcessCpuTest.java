package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The /proc reader: a thread that burns CPU shows in this process's and its own CPU time. */
class ProcessCpuTest {

    @Test
    void parsesUtimePlusStimeAfterACommandNameWithSpacesAndParentheses() {
        String stat = "4242 (C2 Compi) (x)) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 75 0 0 20 0 1 0 100 0 0";
        ProcessCpu.ThreadCpu cpu = ProcessCpu.parse(stat);
        assertThat(cpu.comm()).isEqualTo("C2 Compi) (x)");
        assertThat(cpu.nanos()).isEqualTo((250 + 75) * ProcessCpu.NANOS_PER_TICK);
    }

    @Test
    void aBusyThreadAddsToTheProcessAndToItsOwnCpuTime() throws Exception {
        assumeTrue(ProcessCpu.available(), "no /proc here");
        long pid = ProcessHandle.current().pid();
        long before = ProcessCpu.selfNanos();
        AtomicBoolean burning = new AtomicBoolean(true);
        Thread burner = new Thread(() -> {
            long x = 0;
            while (burning.get()) {
                x += System.nanoTime() % 7;
            }
            if (x == 42) {
                System.out.print("");
            }
        }, "cpu-burner-test");
        burner.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long burnt = 0;
        // at least 300 ms of its own CPU time, however busy the machine is
        while (burnt < 300_000_000L && System.nanoTime() < deadline) {
            Thread.sleep(100);
            burnt = ProcessCpu.threads(pid).values().stream().filter(t -> t.comm().equals("cpu-burner-test"))
                    .mapToLong(ProcessCpu.ThreadCpu::nanos).sum();
        }
        burning.set(false);
        burner.join();

        assertThat(burnt).isGreaterThanOrEqualTo(300_000_000L);
        assertThat(ProcessCpu.selfNanos() - before).isGreaterThanOrEqualTo(burnt);
        assertThat(ProcessCpu.nanos(pid)).isGreaterThan(0);
        assertThat(ProcessCpu.nanos(-5)).isEqualTo(-1);
    }
}
