package io.switchboard.agent;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pool handlers run on: at most {@code concurrency} at once, a task goes to an idle thread when there is one and
 * starts a new thread only when every thread is busy, threads end after a minute idle. A plain
 * {@link ThreadPoolExecutor} with {@code concurrency} core threads starts a new thread for every task until it holds
 * that many, idle ones or not: a burst of a thousand async callbacks (each holding its thread for microseconds) then
 * waits on a thousand thread starts. The queue refuses a task while no thread is idle, which makes the executor start
 * one (as Tomcat's executor does), and takes it once the maximum is reached.
 */
final class HandlerPool extends ThreadPoolExecutor {
    /** Tasks submitted and not yet finished: fewer than the threads means one of them is idle. */
    private final AtomicInteger submitted = new AtomicInteger();

    private HandlerPool(int concurrency, ThreadFactory threads, ReuseQueue queue) {
        super(0, concurrency, 60, TimeUnit.SECONDS, queue, threads, (task, pool) -> queue.force(task, pool));
    }

    static HandlerPool create(int concurrency, ThreadFactory threads) {
        ReuseQueue queue = new ReuseQueue();
        HandlerPool pool = new HandlerPool(concurrency, threads, queue);
        queue.pool = pool;
        return pool;
    }

    @Override
    public void execute(Runnable task) {
        submitted.incrementAndGet();
        try {
            super.execute(task);
        } catch (RejectedExecutionException e) {
            submitted.decrementAndGet();
            throw e;
        }
    }

    @Override
    protected void afterExecute(Runnable task, Throwable error) {
        submitted.decrementAndGet();
    }

    private static final class ReuseQueue extends LinkedBlockingQueue<Runnable> {
        private volatile HandlerPool pool;

        @Override
        public boolean offer(Runnable task) {
            HandlerPool p = pool;
            if (p != null && p.submitted.get() > p.getPoolSize() && p.getPoolSize() < p.getMaximumPoolSize()) {
                return false; // every thread is busy and another may start: the executor starts it
            }
            return super.offer(task);
        }

        /** At the maximum: the task waits for a thread. */
        void force(Runnable task, ThreadPoolExecutor executor) {
            if (executor.isShutdown() || !super.offer(task)) {
                throw new RejectedExecutionException("the handler pool is shut down");
            }
        }
    }
}
