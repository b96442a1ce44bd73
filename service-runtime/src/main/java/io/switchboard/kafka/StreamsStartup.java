package io.switchboard.kafka;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a Kafka Streams application and returns once it is RUNNING (state restored, partitions assigned), the way
 * every Streams-based service starts (the router, the local memory): a service that reports started must be able to
 * process. A dead stream thread is replaced rather than taking the application down.
 */
public final class StreamsStartup {
    private static final Logger log = LoggerFactory.getLogger(StreamsStartup.class);

    private StreamsStartup() {
    }

    /**
     * Starts {@code streams} (not yet started) and waits for RUNNING.
     *
     * @param name        the application as log lines and errors name it ("router", "local memory")
     * @param timeout     how long to wait for RUNNING
     * @param whatToCheck appended to the error: what the operator should look at (where Kafka is, for one)
     * @throws IllegalStateException when the application fails or is not RUNNING within {@code timeout}, naming the
     *                               state it reached; the caller closes it
     */
    public static void startAndAwaitRunning(KafkaStreams streams, String name, Duration timeout, String whatToCheck)
            throws InterruptedException {
        CountDownLatch settled = new CountDownLatch(1);
        AtomicReference<KafkaStreams.State> failed = new AtomicReference<>();
        streams.setStateListener((now, before) -> {
            log.info("{} state {} -> {}", name, before, now);
            if (now == KafkaStreams.State.RUNNING) {
                settled.countDown();
            } else if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.PENDING_ERROR
                    || now == KafkaStreams.State.PENDING_SHUTDOWN || now == KafkaStreams.State.NOT_RUNNING) {
                failed.compareAndSet(null, now);
                settled.countDown();
            }
        });
        streams.setUncaughtExceptionHandler(e -> {
            log.error("{} stream thread died; replacing it", name, e);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
        if (!settled.await(timeout.toMillis(), TimeUnit.MILLISECONDS) || failed.get() != null) {
            KafkaStreams.State state = failed.get() != null ? failed.get() : streams.state();
            throw new IllegalStateException("The " + name + " did not reach RUNNING within " + timeout + " (state "
                    + state + "); " + whatToCheck);
        }
    }
}
