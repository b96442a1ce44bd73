package io.switchboard.launcher;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link ServiceFactory} gets: the environment (process environment plus what the launcher sets, such as
 * {@code KAFKA_BOOTSTRAP_SERVERS} in {@code dev}) and objects that services running in the same JVM share (one
 * Vert.x instance, one meter registry), created on first use and closed after every service, in reverse order.
 */
public final class ServiceContext implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServiceContext.class);

    private final Map<String, String> env;
    private final Map<Class<?>, Object> shared = new HashMap<>();
    private final Deque<Runnable> closers = new ArrayDeque<>();

    public ServiceContext(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** The environment the service reads its configuration from. */
    public Map<String, String> env() {
        return env;
    }

    /** The JVM-wide instance of {@code type}: created by {@code create} on first use, closed by {@code close}. */
    public synchronized <T> T shared(Class<T> type, Supplier<T> create, Consumer<T> close) {
        Object existing = shared.get(type);
        if (existing != null) {
            return type.cast(existing);
        }
        T created = Objects.requireNonNull(create.get(), type.getName());
        shared.put(type, created);
        closers.push(() -> close.accept(created));
        return created;
    }

    /** The JVM-wide instance of {@code type} if something created or registered it. */
    public synchronized <T> Optional<T> find(Class<T> type) {
        return Optional.ofNullable(type.cast(shared.get(type)));
    }

    @Override
    public synchronized void close() {
        while (!closers.isEmpty()) {
            try {
                closers.pop().run();
            } catch (RuntimeException e) {
                log.warn("Closing a shared resource failed", e);
            }
        }
        shared.clear();
    }
}
