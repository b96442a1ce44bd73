package io.switchboard.memory.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.Channel;
import io.switchboard.memory.MemoryClient;
import io.switchboard.memory.MemoryQuery;
import io.switchboard.testkit.InternalTokens;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class MemoryClientTest {

    @Test
    void aMemoryServiceThatNeverAnswersFailsTheFutureWithinTheTimeout() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0)) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (!silent.isClosed()) {
                        held.add(silent.accept()); // reads nothing, answers nothing
                    }
                } catch (Exception closed) {
                    // test over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            MemoryClient client = new MemoryClient(URI.create("http://127.0.0.1:" + silent.getLocalPort()), Duration.ofSeconds(30), InternalTokens.TOKEN);

            long started = System.nanoTime();
            CompletableFuture<?> memory = client.retrieve(
                    MemoryQuery.of("conv1", null, "+14155550100", Channel.SMS, "where is my order"), Duration.ofMillis(300));
            ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> memory.get(5, TimeUnit.SECONDS));
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            assertThat(failure.getCause()).isInstanceOfAny(TimeoutException.class, java.net.http.HttpTimeoutException.class);
            assertThat(elapsedMs).isBetween(250L, 1500L);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
