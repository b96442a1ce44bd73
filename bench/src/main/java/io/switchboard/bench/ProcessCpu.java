package io.switchboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of a process (or each of its threads) from Linux's /proc: utime + stime of {@code /proc/<pid>/stat}.
 * The values are in clock ticks, which the kernel reports at USER_HZ = 100 per second on every Linux architecture
 * Java runs on ({@code getconf CLK_TCK}); assumed here rather than asked, so a reading costs one file read.
 */
final class ProcessCpu {
    static final long NANOS_PER_TICK = 10_000_000L;

    /** One thread's CPU time and its kernel name ({@code comm}: the first 15 characters of a Java thread's name). */
    record ThreadCpu(String comm, long nanos) {
    }

    private ProcessCpu() {
    }

    /** Whether this machine has /proc (Linux). */
    static boolean available() {
        return Files.isReadable(Path.of("/proc/self/stat"));
    }

    /** CPU time (user + system) the process has used so far, in nanoseconds; -1 where unreadable (gone, not Linux). */
    static long nanos(long pid) {
        ThreadCpu cpu = read(Path.of("/proc", Long.toString(pid), "stat"));
        return cpu == null ? -1 : cpu.nanos();
    }

    /** CPU time of this process (the load generator's JVM). */
    static long selfNanos() {
        return nanos(ProcessHandle.current().pid());
    }

    /** CPU time of every live thread of the process, by thread id (the JVM's OS thread id); empty where unreadable. */
    static Map<Long, ThreadCpu> threads(long pid) {
        Map<Long, ThreadCpu> threads = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            tasks.forEach(task -> {
                ThreadCpu cpu = read(task.resolve("stat"));
                if (cpu != null) {
                    threads.put(Long.parseLong(task.getFileName().toString()), cpu);
                }
            });
        } catch (IOException | RuntimeException e) {
            // the process is gone, or not Linux
        }
        return threads;
    }

    /**
     * Parses a stat line: {@code pid (comm) state ppid … utime stime …}. The comm may hold spaces and parentheses,
     * so the fields are counted from the last ')': utime and stime are the 14th and 15th fields, the 12th and 13th
     * after it.
     */
    static ThreadCpu parse(String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        String[] fields = stat.substring(close + 2).trim().split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return new ThreadCpu(stat.substring(open + 1, close), ticks * NANOS_PER_TICK);
    }

    private static ThreadCpu read(Path stat) {
        try {
            return parse(Files.readString(stat));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
