package io.switchboard.launcher;

import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Routes that services of one JVM add to the single HTTP server (the ingress's): in {@code dev} every route — the
 * Twilio webhooks, the memory API, metrics, the simulator — is served on one port. Services that contribute routes
 * start before the ingress, which mounts them all when it starts.
 */
public final class HttpRoutes implements Consumer<Router> {
    private final List<Consumer<Router>> contributions = new ArrayList<>();
    private boolean mounted;

    public synchronized void add(Consumer<Router> routes) {
        contributions.add(routes);
    }

    /** Whether a service's HTTP server mounted these routes (the ingress does; a service alone may not). */
    public synchronized boolean mounted() {
        return mounted;
    }

    @Override
    public synchronized void accept(Router router) {
        mounted = true;
        contributions.forEach(routes -> routes.accept(router));
    }
}
