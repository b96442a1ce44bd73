package io.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * What the fuzz tests share: reading one fuzz input (raw bytes, so a committed input is a readable file) as fields,
 * and the bounds on the time and memory one input may take ({@link #bounded}).
 */
public final class FuzzInputs {
    /** What parsing one webhook-sized input may allocate: far above any real parse, far below an OOM. */
    public static final long DEFAULT_ALLOCATION_LIMIT = 64L << 20;

    /** How long one input may take: far above any real parse (microseconds), far below a hang. */
    public static final Duration TIME_LIMIT = Duration.ofSeconds(5);

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static ExecutorService runner = newRunner();

    private FuzzInputs() {
    }

    /** The input split at {@code '\n'} into at least {@code count} fields (missing ones empty); the last keeps the rest. */
    public static List<String> fields(byte[] input, int count) {
        String text = new String(input, StandardCharsets.UTF_8);
        List<String> fields = new ArrayList<>(Arrays.asList(text.split("\n", count)));
        while (fields.size() < count) {
            fields.add("");
        }
        return fields;
    }

    /** One {@code name=value} pair per line (a line without '=' is a name with an empty value); the first of a name wins. */
    public static Map<String, String> form(byte[] input) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String line : new String(input, StandardCharsets.UTF_8).split("\n")) {
            int eq = line.indexOf('=');
            String name = eq < 0 ? line : line.substring(0, eq);
            if (!name.isEmpty()) {
                form.putIfAbsent(name, eq < 0 ? "" : line.substring(eq + 1));
            }
        }
        return form;
    }

    /**
     * {@link #form} with names as Twilio could send them: without whitespace or control characters, which Netty's form
     * decoder strips or replaces in names (the names read would not be the names signed; Twilio's never hold them).
     */
    public static Map<String, String> twilioForm(byte[] input) {
        Map<String, String> form = new LinkedHashMap<>();
        form(input).forEach((name, value) -> form.putIfAbsent(name.replaceAll("[\\s\\p{Cntrl}]", ""), value));
        form.remove("");
        return form;
    }

    /**
     * Runs {@code parse} for one input and fails if it took longer than {@link #TIME_LIMIT} or allocated more than
     * {@link #DEFAULT_ALLOCATION_LIMIT}, whether it returned or threw (a refusal must be as cheap as an answer); what
     * it threw is rethrown. It runs on a thread of its own so that a hang is cut off (a JUnit {@code @Timeout} on a
     * fuzz test would bound the whole fuzzing run, not one input). An input over the allocation limit is run once
     * more and judged by that run: the first run of a code path also pays class loading and, when fuzzing, Jazzer's
     * instrumentation, on the same thread.
     */
    public static <T> T bounded(Supplier<T> parse) {
        Outcome<T> outcome = run(parse);
        if (outcome.allocated() > DEFAULT_ALLOCATION_LIMIT) {
            long again = run(parse).allocated();
            assertThat(again).as("bytes allocated for one input").isLessThanOrEqualTo(DEFAULT_ALLOCATION_LIMIT);
        }
        if (outcome.failure() != null) {
            throw outcome.failure();
        }
        return outcome.result();
    }

    /** As {@link #bounded(Supplier)} for a check without a result. */
    public static void bounded(Runnable parse) {
        bounded(() -> {
            parse.run();
            return null;
        });
    }

    private record Outcome<T>(T result, RuntimeException failure, long allocated) {
    }

    private static synchronized <T> Outcome<T> run(Supplier<T> parse) {
        Future<Outcome<T>> future = runner.submit(() -> {
            long threadId = Thread.currentThread().getId();
            long before = THREADS.getThreadAllocatedBytes(threadId);
            T result = null;
            RuntimeException failure = null;
            try {
                result = parse.get();
            } catch (RuntimeException e) {
                failure = e;
            }
            return new Outcome<>(result, failure, THREADS.getThreadAllocatedBytes(threadId) - before);
        });
        try {
            return future.get(TIME_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            runner.shutdownNow();
            runner = newRunner(); // the stuck thread may never return
            throw new AssertionError("one input took longer than " + TIME_LIMIT);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error; // an assertion of the check, or an OutOfMemoryError
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static ExecutorService newRunner() {
        return Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "fuzz-input");
            thread.setDaemon(true);
            return thread;
        });
    }
}
