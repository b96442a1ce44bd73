package io.switchboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Memory of this process from /proc/self/status (Linux): peak (VmHWM) and current (VmRSS) resident size. */
final class ProcessStats {
    private ProcessStats() {
    }

    /** Peak resident set size in MiB, or -1 where /proc is missing. */
    static long peakRssMib() {
        return kib("VmHWM:") / 1024;
    }

    static long rssMib() {
        return kib("VmRSS:") / 1024;
    }

    private static long kib(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).replace("kB", "").trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return -1024;
    }
}
