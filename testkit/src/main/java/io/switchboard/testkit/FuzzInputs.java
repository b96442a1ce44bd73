package io.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the fuzz tests share: reading one fuzz input (raw bytes, so a committed input is a readable file) as fields,
 * and the bound on what one input may allocate. The time bound is each fuzz test's JUnit {@code @Timeout}, which
 * Jazzer also applies per input when it fuzzes.
 */
public final class FuzzInputs {
    /** What parsing one webhook-sized input may allocate: far above any real parse, far below an OOM. */
    public static final long DEFAULT_ALLOCATION_LIMIT = 64L << 20;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

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
     * Runs {@code parse} and fails if it allocated more than {@code limit} bytes on this thread, whether it returned or
     * threw (a refusal must be as cheap as an answer).
     */
    public static <T> T withinAllocation(long limit, Supplier<T> parse) {
        long threadId = Thread.currentThread().getId();
        long before = THREADS.getThreadAllocatedBytes(threadId);
        try {
            return parse.get();
        } finally {
            long allocated = THREADS.getThreadAllocatedBytes(threadId) - before;
            assertThat(allocated).as("bytes allocated for one input").isLessThanOrEqualTo(limit);
        }
    }

    /** {@link #withinAllocation(long, Supplier)} with {@link #DEFAULT_ALLOCATION_LIMIT}. */
    public static <T> T withinAllocation(Supplier<T> parse) {
        return withinAllocation(DEFAULT_ALLOCATION_LIMIT, parse);
    }

    /** As {@link #withinAllocation(Supplier)} for a check without a result. */
    public static void withinAllocation(Runnable parse) {
        withinAllocation(() -> {
            parse.run();
            return null;
        });
    }
}
