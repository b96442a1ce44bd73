package io.switchboard.launcher;

import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Routes that services of one JVM add to its operator listener (never to the public port): the memory API,
 * {@code /metrics}, {@code /healthz} and {@code /readyz}, the simulator. A contribution made before the listener's
 * router is attached is mounted when it is; one made after, at once — so {@code dev} can bind the listener first
 * and tell its services where it is.
 */
public final class HttpRoutes implements Consumer<Router> {
    private final List<Consumer<Router>> contributions = new ArrayList<>();
    private Router attached;

    public synchronized void add(Consumer<Router> routes) {
        contributions.add(routes);
        if (attached != null) {
            routes.accept(attached);
        }
    }

    /** Attaches the listener's router: every contribution so far is mounted on it, and every later one. */
    @Override
    public synchronized void accept(Router router) {
        if (attached != null) {
            throw new IllegalStateException("the operator routes are already served");
        }
        attached = router;
        contributions.forEach(routes -> routes.accept(router));
    }
}
