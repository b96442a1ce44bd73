package io.switchboard.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The TypeScript echo agent ({@code examples/typescript-agent}, built by this module's {@code npm ci} and
 * {@code npm run build} in generate-test-resources) as a child {@code node} process, killable with SIGKILL.
 */
final class TypeScriptAgentProcess implements AutoCloseable {
    static final Path FOLDER = Path.of("..", "examples", "typescript-agent").toAbsolutePath().normalize();
    static final Path LOGS = Path.of("target", "typescript-agent-logs").toAbsolutePath();

    private final String name;
    private final Map<String, String> env;
    private Process process;
    private int starts;

    /** {@code name}: of its log files, {@code target/typescript-agent-logs/<name>-<start>.log}. */
    TypeScriptAgentProcess(String name, Map<String, String> env) {
        this.name = name;
        this.env = Map.copyOf(env);
    }

    /** Fails clearly where no Node.js is installed or the agent was not built: CI has both. */
    static void checkBuilt() throws Exception {
        Process version;
        try {
            version = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("node is not on the PATH: the TypeScript agent test needs Node.js 20+", e);
        }
        assertThat(version.waitFor(30, TimeUnit.SECONDS) && version.exitValue() == 0).as("node --version").isTrue();
        assertThat(FOLDER.resolve("dist").resolve("echo-agent.js"))
                .as("the TypeScript agent is built by this module's generate-test-resources (npm ci, npm run build)")
                .exists();
    }

    void start() throws IOException {
        Files.createDirectories(LOGS);
        ProcessBuilder builder = new ProcessBuilder("node", "dist/echo-agent.js").directory(FOLDER.toFile());
        builder.environment().putAll(env);
        builder.redirectErrorStream(true).redirectOutput(LOGS.resolve(name + "-" + ++starts + ".log").toFile());
        process = builder.start();
    }

    /** SIGKILL: no commit, no flush, no leaving the group. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
