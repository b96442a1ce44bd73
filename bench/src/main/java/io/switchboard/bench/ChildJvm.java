package io.switchboard.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM the benchmark starts on its own class path, so that what it measures (the floor, the Switchboard stack)
 * has a process and a CPU time of its own. Its stdout and stderr go to a log file; it is stopped with SIGTERM (the
 * stack shuts down cleanly and a flight recording is dumped), then killed after a grace period — also when the
 * benchmark fails or is interrupted (a shutdown hook).
 */
final class ChildJvm implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;
    private final long launchedNanos;
    private final Duration grace;
    private final Thread hook;

    private ChildJvm(String name, Process process, Path log, long launchedNanos, Duration grace) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.launchedNanos = launchedNanos;
        this.grace = grace;
        this.hook = new Thread(() -> stop(Duration.ofSeconds(5)), "bench-stop-" + name);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Starts {@code java <jvmArgs> -cp <this JVM's class path> <mainClass> <args>} with {@code env} added to this
     * process's environment, writing its output to {@code log}.
     */
    static ChildJvm start(String name, List<String> jvmArgs, String mainClass, List<String> args,
            Map<String, String> env, Path log, Duration grace) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        builder.environment().putAll(env);
        long launched = System.nanoTime();
        return new ChildJvm(name, builder.start(), log, launched, grace);
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits until a line of the output matches {@code ready}; returns the match. Fails when the process exits
     * first or {@code timeout} passes, naming the log.
     */
    Matcher awaitLine(Pattern ready, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            // the log is small until the process is ready; reading it again is simpler than following it
            for (String line : Files.readString(log, StandardCharsets.UTF_8).split("\n")) {
                Matcher m = ready.matcher(line);
                if (m.find()) {
                    return m;
                }
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue()
                        + " before it was ready; see " + log);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " was not ready within " + timeout.toSeconds() + " s; see " + log);
            }
            Thread.sleep(50);
        }
    }

    /** Milliseconds since launch. */
    long sinceLaunchMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - launchedNanos);
    }

    /** SIGTERM, then SIGKILL after {@code grace}; returns whether it stopped by itself. */
    private boolean stop(Duration grace) {
        if (!process.isAlive()) {
            return true;
        }
        process.destroy();
        try {
            if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
        return false;
    }

    @Override
    public void close() {
        if (!stop(grace)) {
            System.err.printf("%s did not stop within %d s of SIGTERM and was killed; see %s%n", name,
                    grace.toSeconds(), log);
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway, and finds the process gone
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
