package io.switchboard.launcher.observability;

import io.switchboard.config.KafkaSettings;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.service.Readiness;
import io.switchboard.topics.Topic;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * {@code /healthz} (the process answers) and {@code /readyz} (it can do its work: Kafka answers, every catalog topic
 * exists, and every registered {@link Readiness} — e.g. a Streams application RUNNING — says ready). {@code /readyz}
 * answers 200 or 503 with a JSON body naming each check; the checks run on a worker thread, each bounded by a
 * couple of seconds, so a Kafka that is down makes it slow to say no, never hang.
 */
public final class Health implements Consumer<Router>, AutoCloseable {
    static final long KAFKA_TIMEOUT_MS = 2_000;

    private final Vertx vertx;
    private final KafkaClients clients;
    private final Map<String, Readiness> checks = new LinkedHashMap<>();
    private Admin admin;
    private boolean closed;

    public Health(Vertx vertx, KafkaSettings kafka) {
        this.vertx = vertx;
        this.clients = new KafkaClients(kafka);
    }

    /** Adds one more check, named in the {@code /readyz} answer. */
    public synchronized void add(String name, Readiness readiness) {
        checks.put(name, readiness);
    }

    @Override
    public void accept(Router router) {
        router.get("/healthz").handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain").end("ok"));
        router.get("/readyz").handler(ctx -> vertx.executeBlocking(this::check, false).onComplete(ar -> {
            JsonObject body = new JsonObject();
            Map<String, String> problems = ar.succeeded() ? ar.result() : Map.of("readiness", ar.cause().toString());
            body.put("ready", problems.isEmpty());
            JsonObject detail = new JsonObject();
            problems.forEach(detail::put);
            body.put("notReady", detail);
            ctx.response().setStatusCode(problems.isEmpty() ? 200 : 503)
                    .putHeader("Content-Type", "application/json").end(body.encode());
        }));
    }

    /** Runs every check (blocking, bounded): check name → what is not ready; empty when all is ready. */
    public Map<String, String> check() {
        Map<String, String> problems = new LinkedHashMap<>();
        kafkaProblem().ifPresent(problem -> problems.put("kafka", problem));
        Map<String, Readiness> snapshot;
        synchronized (this) {
            snapshot = new LinkedHashMap<>(checks);
        }
        snapshot.forEach((name, readiness) -> {
            try {
                readiness.notReady().ifPresent(problem -> problems.put(name, problem));
            } catch (RuntimeException e) {
                problems.put(name, e.toString());
            }
        });
        return problems;
    }

    private Optional<String> kafkaProblem() {
        try {
            Admin current = admin();
            current.describeCluster().nodes().get(KAFKA_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Set<String> present = current.listTopics().names().get(KAFKA_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Set<String> missing = new TreeSet<>();
            Arrays.stream(Topic.values()).map(Topic::topicName).filter(t -> !present.contains(t)).forEach(missing::add);
            return missing.isEmpty() ? Optional.empty() : Optional.of("topics missing: " + String.join(", ", missing));
        } catch (TimeoutException e) {
            return Optional.of("Kafka at " + clients.settings().bootstrapServers() + " did not answer within "
                    + KAFKA_TIMEOUT_MS + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        } catch (Exception e) {
            return Optional.of("Kafka at " + clients.settings().bootstrapServers() + ": " + e.getMessage());
        }
    }

    private synchronized Admin admin() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (admin == null) {
            Map<String, Object> config = clients.adminConfig("switchboard-readiness");
            config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) KAFKA_TIMEOUT_MS);
            config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) KAFKA_TIMEOUT_MS);
            config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
            admin = Admin.create(config);
        }
        return admin;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
            admin = null;
        }
    }
}
