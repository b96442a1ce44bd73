package io.switchboard.agent;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads blocking handlers run on: virtual threads where the JVM has them (Java 21+), so a thousand handlers
 * waiting on an LLM cost a thousand small heap objects rather than a thousand stacks; daemon platform threads on
 * Java 17, which the SDK still targets. {@code Thread.ofVirtual()} is reached through method handles because the
 * SDK compiles against Java 17.
 */
final class HandlerThreads {
    /** {@code Thread.ofVirtual()}, {@code Thread.Builder.name(String, long)}, {@code Thread.Builder.factory()}. */
    private static final MethodHandle[] VIRTUAL = virtualBuilder();

    private HandlerThreads() {
    }

    /** Whether this JVM can run handlers on virtual threads. */
    static boolean virtualAvailable() {
        return VIRTUAL != null;
    }

    /**
     * Threads named {@code prefix1}, {@code prefix2}, ...: virtual when {@code preferVirtual} and the JVM has them,
     * daemon platform threads otherwise.
     */
    static ThreadFactory factory(String prefix, boolean preferVirtual) {
        if (preferVirtual && VIRTUAL != null) {
            try {
                Object builder = VIRTUAL[0].invoke();
                builder = VIRTUAL[1].invoke(builder, prefix, 1L);
                return (ThreadFactory) VIRTUAL[2].invoke(builder);
            } catch (Throwable e) {
                throw new IllegalStateException("cannot create the virtual thread factory", e);
            }
        }
        AtomicInteger threads = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** The three handles of the virtual thread builder, or null before Java 21. */
    private static MethodHandle[] virtualBuilder() {
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Class<?> builder = Class.forName("java.lang.Thread$Builder");
            Class<?> ofVirtual = Class.forName("java.lang.Thread$Builder$OfVirtual");
            return new MethodHandle[] {
                lookup.findStatic(Thread.class, "ofVirtual", MethodType.methodType(ofVirtual)),
                lookup.findVirtual(builder, "name", MethodType.methodType(builder, String.class, long.class)),
                lookup.findVirtual(builder, "factory", MethodType.methodType(ThreadFactory.class))
            };
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}
