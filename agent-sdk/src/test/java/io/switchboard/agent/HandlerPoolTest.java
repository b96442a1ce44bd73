package io.switchboard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HandlerPoolTest {
    private final AtomicInteger threadsStarted = new AtomicInteger();
    private final HandlerPool pool = HandlerPool.create(4, r -> {
        threadsStarted.incrementAndGet();
        Thread t = new Thread(r);
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void shutDown() {
        pool.shutdownNow();
    }

    @Test
    void anIdleThreadTakesTheNextTaskInsteadOfANewThreadStarting() throws Exception {
        for (int i = 0; i < 20; i++) {
            pool.submit(() -> { }).get(5, TimeUnit.SECONDS);
            await().until(() -> pool.getActiveCount() == 0); // the task's future completes before its thread is free
        }

        assertThat(threadsStarted).as("one task at a time needs one thread").hasValue(1);
    }

    @Test
    void runsAtMostItsConcurrencyAtOnceAndQueuesTheRest() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger highest = new AtomicInteger();
        List<Future<?>> tasks = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            tasks.add(pool.submit(() -> {
                highest.accumulateAndGet(running.incrementAndGet(), Math::max);
                release.await();
                running.decrementAndGet();
                return null;
            }));
        }
        Thread.sleep(200);
        assertThat(highest).as("busy threads").hasValue(4);
        assertThat(pool.getQueue()).as("waiting for a thread").hasSize(6);

        release.countDown();
        for (Future<?> task : tasks) {
            task.get(5, TimeUnit.SECONDS);
        }
        assertThat(highest).hasValue(4);
        assertThat(threadsStarted).hasValue(4);
    }

    @Test
    void refusesTasksOnceShutDown() {
        pool.shutdown();

        assertThatThrownBy(() -> pool.submit(() -> { })).isInstanceOf(RejectedExecutionException.class);
    }
}
