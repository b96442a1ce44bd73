package io.switchboard.outbound;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Runs tasks of one key one after another and tasks of different keys independently: a conversation's replies stay
 * in order while a slow conversation holds back nobody else. A stand-in for the shared key-ordered consumer
 * ({@code io.switchboard.kafka.ordered}) until that is merged; it only chains futures.
 */
final class KeyedDispatcher {
    private final Map<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

    /** Starts {@code task} once every earlier task of {@code key} has completed (at once when there is none). */
    CompletableFuture<Void> submit(String key, Supplier<CompletionStage<Void>> task) {
        CompletableFuture<Void> next = new CompletableFuture<>();
        CompletableFuture<Void> previous = tails.put(key, next);
        Runnable run = () -> {
            CompletionStage<Void> stage;
            try {
                stage = task.get();
            } catch (RuntimeException e) {
                stage = CompletableFuture.failedFuture(e);
            }
            stage.whenComplete((v, e) -> {
                tails.remove(key, next);
                if (e != null) {
                    next.completeExceptionally(e);
                } else {
                    next.complete(null);
                }
            });
        };
        if (previous == null) {
            run.run();
        } else {
            previous.whenComplete((v, e) -> run.run());
        }
        return next;
    }

    int activeKeys() {
        return tails.size();
    }
}
