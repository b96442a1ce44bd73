package io.switchboard.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the stack's CPU went in the measured window, by {@link Stage}: each thread's CPU time from /proc (exact,
 * system calls included, which a Kafka broker and clients spend much of theirs in) goes to the thread's stage, or —
 * for a thread shared by stages, such as a Vert.x event loop — is split by the stages of its {@code
 * jdk.ExecutionSample}s in the flight recording. Threads are matched to the recording by their OS thread id.
 * {@code jdk.NativeMethodSample}s are not used: they sample threads waiting in native code (epoll) as much as working.
 */
final class StageProfile {
    private static final int HOT_METHODS = 5;

    private final Path recording;
    private final Map<Stage, Long> cpu = new EnumMap<>(Stage.class);
    private final Map<Stage, Long> samples = new EnumMap<>(Stage.class);
    private final Map<Leaf, Long> leaves = new HashMap<>();
    private long totalSamples;
    private long endedThreadsNanos;
    private CpuWindow.CpuUse use;
    private String unit;

    private StageProfile(Path recording) {
        this.recording = recording;
    }

    /** Reads {@code recording}, keeping the samples taken inside {@code window}; {@code events} happened in it. */
    static StageProfile read(Path recording, CpuWindow window, long events, String unit) throws IOException {
        StageProfile profile = new StageProfile(recording);
        profile.use = window.use(events);
        profile.unit = unit;
        Map<Long, String> names = new HashMap<>();
        Map<Long, Map<Stage, Long>> samplesByThread = new HashMap<>();
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent event = file.readEvent();
                remember(names, event.getThread());
                String type = event.getEventType().getName();
                if (type.equals("jdk.ThreadStart")) {
                    remember(names, event.getThread("thread"));
                } else if (type.equals("jdk.ExecutionSample")) {
                    RecordedThread thread = event.getThread("sampledThread");
                    remember(names, thread);
                    if (thread != null && event.getStackTrace() != null
                            && inside(event.getStartTime(), window.openedAt(), window.closedAt())) {
                        Stage stage = profile.sample(thread.getJavaName(), event.getStackTrace().getFrames());
                        samplesByThread.computeIfAbsent(thread.getOSThreadId(), t -> new EnumMap<>(Stage.class))
                                .merge(stage, 1L, Long::sum);
                    }
                }
            }
        }
        profile.attribute(window.threadUse(), names, samplesByThread);
        return profile;
    }

    private static boolean inside(Instant at, Instant from, Instant to) {
        return !at.isBefore(from) && !at.isAfter(to);
    }

    private static void remember(Map<Long, String> names, RecordedThread thread) {
        if (thread != null && thread.getJavaName() != null && thread.getOSThreadId() > 0) {
            names.put(thread.getOSThreadId(), thread.getJavaName());
        }
    }

    /** Counts one sample; returns its stage. */
    private Stage sample(String thread, List<RecordedFrame> frames) {
        Stage stage = Stage.ofThread(thread);
        if (stage == null) {
            stage = Stage.ofSample(thread, frames.stream().map(f -> f.getMethod().getType().getName()).toList());
        }
        samples.merge(stage, 1L, Long::sum);
        totalSamples++;
        if (!frames.isEmpty()) {
            RecordedFrame top = frames.get(0);
            leaves.merge(new Leaf(top.getMethod().getType().getName() + "." + top.getMethod().getName(), stage), 1L,
                    Long::sum);
        }
        return stage;
    }

    private void attribute(Map<Long, ProcessCpu.ThreadCpu> threads, Map<Long, String> names,
            Map<Long, Map<Stage, Long>> samplesByThread) {
        long attributed = 0;
        for (Map.Entry<Long, ProcessCpu.ThreadCpu> entry : threads.entrySet()) {
            long nanos = entry.getValue().nanos();
            attributed += nanos;
            String name = names.getOrDefault(entry.getKey(), entry.getValue().comm());
            Stage own = Stage.ofThread(name);
            Map<Stage, Long> sampled = samplesByThread.get(entry.getKey());
            if (own != null) {
                cpu.merge(own, nanos, Long::sum);
            } else if (sampled == null || sampled.isEmpty()) {
                cpu.merge(Stage.ofUnsampledThread(name), nanos, Long::sum);
            } else {
                split(nanos, sampled);
            }
        }
        endedThreadsNanos = Math.max(0, use.targetNanos() - attributed);
    }

    /** Splits a thread's CPU time by the stages of its samples. */
    private void split(long nanos, Map<Stage, Long> sampled) {
        long total = sampled.values().stream().mapToLong(Long::longValue).sum();
        sampled.forEach((stage, n) -> cpu.merge(stage, nanos * n / total, Long::sum));
    }

    /** CPU time of a stage in the window, in nanoseconds. */
    long cpuNanos(Stage stage) {
        return cpu.getOrDefault(stage, 0L);
    }

    long samples(Stage stage) {
        return samples.getOrDefault(stage, 0L);
    }

    String markdown() {
        long total = use.targetNanos();
        StringBuilder out = new StringBuilder();
        out.append("| CPU by stage (profiled run: JFR on) | CPU in window | % of stack CPU | CPU ms per ").append(unit)
                .append(" | JFR samples | % of samples |\n|---|---|---|---|---|---|\n");
        for (Stage stage : Stage.values()) {
            if (cpuNanos(stage) > 0 || samples(stage) > 0) {
                row(out, stage.label(), cpuNanos(stage), total, Long.toString(samples(stage)),
                        Report.percent(samples(stage), totalSamples));
            }
        }
        if (endedThreadsNanos > 0) {
            row(out, "threads that ended in the window", endedThreadsNanos, total, "–", "–");
        }
        row(out, "**Switchboard stack (the dev process)**", total, total, Long.toString(totalSamples), "100 %");
        row(out, "load generator (the bench's JVM, reply sink included)", use.loadGeneratorNanos(), total, "–", "–");
        out.append("\n| hot method (top frame of a sample) | stage | samples | % of samples |\n|---|---|---|---|\n");
        List<Map.Entry<Leaf, Long>> hot = new ArrayList<>(leaves.entrySet());
        hot.sort(Map.Entry.<Leaf, Long>comparingByValue(Comparator.reverseOrder()));
        for (Map.Entry<Leaf, Long> e : hot.subList(0, Math.min(HOT_METHODS, hot.size()))) {
            out.append("| `").append(e.getKey().method()).append("` | ").append(e.getKey().stage().label())
                    .append(" | ").append(e.getValue()).append(" | ").append(Report.percent(e.getValue(), totalSamples))
                    .append(" |\n");
        }
        out.append("\nEach thread's CPU time is its own (/proc); the JFR samples (Java code only, a few threads per 10 ms)"
                + " only split a shared thread's (an event loop's) time between stages and rank the hot methods.  \n");
        out.append("JFR recording (open it in JDK Mission Control): ").append(recording).append('\n');
        return out.toString();
    }

    /** A method at the top of a sample, in the stage the sample was attributed to. */
    private record Leaf(String method, Stage stage) {
    }

    private void row(StringBuilder out, String name, long nanos, long total, String samples, String samplesPercent) {
        double perEvent = use.events() == 0 ? Double.NaN : nanos / 1e6 / use.events();
        out.append("| ").append(name).append(" | ").append(Report.seconds(nanos)).append(" | ")
                .append(Report.percent(nanos, total)).append(" | ")
                .append(Double.isNaN(perEvent) ? "–" : Report.fmt(perEvent)).append(" | ").append(samples)
                .append(" | ").append(samplesPercent).append(" |\n");
    }
}
