package io.switchboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Memory and threads of a process from /proc/<pid>/status (Linux): peak (VmHWM) and current (VmRSS) resident size. */
final class ProcessStats {
    private ProcessStats() {
    }

    /** Peak resident set size of this process in MiB, or -1 where /proc is missing. */
    static long peakRssMib() {
        return peakRssMib(ProcessHandle.current().pid());
    }

    static long peakRssMib(long pid) {
        return field(pid, "VmHWM:") / 1024;
    }

    static long rssMib(long pid) {
        return field(pid, "VmRSS:") / 1024;
    }

    /** Live threads of the process (Java's and the JVM's own: GC, compilers), or -1. */
    static long threads(long pid) {
        long n = field(pid, "Threads:");
        return n < 0 ? -1 : n;
    }

    private static long field(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).replace("kB", "").trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone, or not Linux
        }
        return -1024;
    }
}
