package io.switchboard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;

/** Handler threads: virtual exactly when the JVM has them and they are wanted; named after the worker either way. */
class HandlerThreadsTest {
    private static final boolean JAVA_21 = Runtime.version().feature() >= 21;

    @Test
    void virtualThreadsAreAvailableFromJava21On() {
        assertThat(HandlerThreads.virtualAvailable()).isEqualTo(JAVA_21);
    }

    @Test
    void preferringVirtualGivesVirtualThreadsWhereTheJvmHasThem() throws Exception {
        Thread t = started(HandlerThreads.factory("w-handler-", true));

        assertThat(t.getName()).isEqualTo("w-handler-1");
        assertThat(t.isDaemon()).as("never keeps the JVM up").isTrue();
        assertThat(t.toString().contains("VirtualThread")).as("virtual on Java %d", Runtime.version().feature())
                .isEqualTo(JAVA_21);
    }

    @Test
    void platformThreadsWhenVirtualOnesAreNotWanted() throws Exception {
        ThreadFactory factory = HandlerThreads.factory("w-handler-", false);
        started(factory);
        Thread second = started(factory);

        assertThat(second.getName()).isEqualTo("w-handler-2");
        assertThat(second.isDaemon()).isTrue();
        assertThat(second.toString()).doesNotContain("VirtualThread");
    }

    /** Runs a task on a new thread of the factory and returns that thread. */
    private static Thread started(ThreadFactory factory) throws Exception {
        CompletableFuture<Thread> ran = new CompletableFuture<>();
        Thread t = factory.newThread(() -> ran.complete(Thread.currentThread()));
        t.start();
        return ran.get();
    }
}
