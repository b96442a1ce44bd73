package io.switchboard.launcher.operator;

import io.switchboard.config.InternalToken;
import io.switchboard.config.InvalidConfigurationException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.BindException;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator listener: the HTTP server for what only operators and Switchboard's own processes may reach (the
 * simulator, the memory API, {@code /metrics}, {@code /readyz}), bound to SWITCHBOARD_OPERATOR_HOST (loopback by
 * default) — never on the public port, which serves Twilio's signed routes only. Bound beyond loopback it says so
 * at start, and every route but {@code /healthz} requires the internal token ({@link OperatorGuard}).
 */
public final class OperatorListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OperatorListener.class);

    private final HttpServer server;
    private final OperatorConfig config;

    private OperatorListener(HttpServer server, OperatorConfig config) {
        this.server = server;
        this.config = config;
    }

    /** Binds the listener now; {@code routes} mounts what the services contribute (now or later). */
    public static OperatorListener start(Vertx vertx, OperatorConfig config, Consumer<Router> routes) throws Exception {
        Router router = Router.router(vertx);
        Optional<InternalToken> token = config.internalToken();
        if (!config.loopback()) {
            router.route().handler(new OperatorGuard(token.orElseThrow()));
        }
        routes.accept(router);
        HttpServer server;
        try {
            server = vertx.createHttpServer().requestHandler(router).listen(config.port(), config.host())
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BindException) {
                // Two processes on one host share the default: name the setting, not a Netty stack trace.
                throw new InvalidConfigurationException(config.portSetting() + "=" + config.port()
                        + " is already in use; give each service on this host its own port (0 picks a free one)", e);
            }
            throw e;
        }
        if (OperatorConfig.MANAGEMENT_PORT.equals(config.portSetting())) {
            log.warn("{} is deprecated: set {} instead", OperatorConfig.MANAGEMENT_PORT, OperatorConfig.OPERATOR_PORT);
        }
        if (config.loopback()) {
            log.info("Operator listener (metrics, readiness, memory API, simulator) on {}:{}, loopback only",
                    config.host(), server.actualPort());
        } else {
            log.warn("Operator listener on {}:{} ({}), reachable beyond this host: every route but /healthz requires {}",
                    config.host(), server.actualPort(), OperatorConfig.OPERATOR_HOST, InternalToken.NAME);
        }
        return new OperatorListener(server, config);
    }

    public int port() {
        return server.actualPort();
    }

    /** The address it is bound to, as configured (127.0.0.1 by default). */
    public String host() {
        return config.host();
    }

    public boolean loopback() {
        return config.loopback();
    }

    /** Where a process on this host reaches it: loopback when bound there or to every address. */
    public String localBaseUrl() {
        String host = config.loopback() || config.host().equals("0.0.0.0") || config.host().equals("::")
                ? "127.0.0.1" : config.host();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    @Override
    public void close() {
        try {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("Closing the operator listener: {}", e.toString());
        }
    }
}
