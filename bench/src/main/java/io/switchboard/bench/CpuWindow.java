package io.switchboard.bench;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The CPU time a target process (the floor or the stack, a child of the benchmark) and the load generator (this
 * JVM) used in one window of time: read from /proc when the window opens and closes, the target's threads too — for
 * the JIT compilers' share (a JVM still compiling is not yet at its steady cost) and the profile's attribution by
 * stage.
 */
final class CpuWindow implements LoadGenerator.Window {
    private final long pid;
    private long openedNanos;
    private long closedNanos;
    private Instant openedAt;
    private Instant closedAt;
    private long target0;
    private long target1;
    private long self0;
    private long self1;
    private Map<Long, ProcessCpu.ThreadCpu> threads0 = Map.of();
    private Map<Long, ProcessCpu.ThreadCpu> threads1 = Map.of();

    /** {@code pid} -1: no target process of ours (an external one); only the load generator is measured. */
    CpuWindow(long pid) {
        this.pid = pid;
    }

    @Override
    public void opened() {
        threads0 = pid < 0 ? Map.of() : ProcessCpu.threads(pid);
        target0 = pid < 0 ? -1 : ProcessCpu.nanos(pid);
        self0 = ProcessCpu.selfNanos();
        openedAt = Instant.now();
        openedNanos = System.nanoTime();
    }

    @Override
    public void closed() {
        closedNanos = System.nanoTime();
        closedAt = Instant.now();
        target1 = pid < 0 ? -1 : ProcessCpu.nanos(pid);
        self1 = ProcessCpu.selfNanos();
        threads1 = pid < 0 ? Map.of() : ProcessCpu.threads(pid);
    }

    Instant openedAt() {
        return openedAt;
    }

    Instant closedAt() {
        return closedAt;
    }

    /** What the window measured, for {@code events} units of work in it. */
    CpuUse use(long events) {
        boolean target = target0 >= 0 && target1 >= 0;
        boolean self = self0 >= 0 && self1 >= 0;
        long jit = target ? threadUse().values().stream().filter(t -> Stage.ofThread(t.comm()) == Stage.JIT)
                .mapToLong(ProcessCpu.ThreadCpu::nanos).sum() : -1;
        return new CpuUse(closedNanos - openedNanos, target ? target1 - target0 : -1, jit,
                self ? self1 - self0 : -1, events);
    }

    /** CPU time of each of the target's threads in the window (threads born in it counted from 0), by thread id. */
    Map<Long, ProcessCpu.ThreadCpu> threadUse() {
        Map<Long, ProcessCpu.ThreadCpu> use = new HashMap<>();
        threads1.forEach((tid, end) -> {
            ProcessCpu.ThreadCpu start = threads0.get(tid);
            long nanos = end.nanos() - (start == null ? 0 : start.nanos());
            if (nanos > 0) {
                use.put(tid, new ProcessCpu.ThreadCpu(end.comm(), nanos));
            }
        });
        return use;
    }

    /**
     * CPU used in a window: by the target ({@code -1}: not measured), of it by the target's JIT compiler threads, by
     * the load generator, and per event (a voice turn or a message webhook sent in the window).
     */
    record CpuUse(long windowNanos, long targetNanos, long jitNanos, long loadGeneratorNanos, long events) {
        /** Percent of one core. */
        double targetPercent() {
            return percent(targetNanos);
        }

        /** The JIT compilers' share of the target's CPU, percent; NaN without a reading. */
        double jitShare() {
            return jitNanos < 0 || targetNanos <= 0 ? Double.NaN : 100.0 * jitNanos / targetNanos;
        }

        double loadGeneratorPercent() {
            return percent(loadGeneratorNanos);
        }

        /** Milliseconds of CPU per event; NaN without events or a reading. */
        double targetMsPerEvent() {
            return targetNanos < 0 || events == 0 ? Double.NaN : targetNanos / 1e6 / events;
        }

        private double percent(long nanos) {
            return nanos < 0 || windowNanos <= 0 ? Double.NaN : 100.0 * nanos / windowNanos;
        }
    }
}
