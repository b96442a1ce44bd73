package io.switchboard.launcher;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.switchboard.agent.SwitchboardAgent;
import io.switchboard.config.KafkaSettings;
import io.switchboard.examples.EchoAgent;
import io.switchboard.examples.llm.LlmAgent;
import io.switchboard.examples.llm.LlmConfig;
import io.switchboard.ingress.IngressConfig;
import io.switchboard.ingress.IngressService;
import io.switchboard.launcher.observability.Health;
import io.switchboard.launcher.operator.OperatorConfig;
import io.switchboard.launcher.operator.OperatorListener;
import io.switchboard.memory.service.MemoryConfig;
import io.switchboard.memory.service.MemoryService;
import io.switchboard.outbound.OutboundConfig;
import io.switchboard.outbound.OutboundService;
import io.switchboard.router.RouterConfig;
import io.switchboard.router.RouterService;
import io.switchboard.service.ManagedService;
import io.switchboard.service.Readiness;
import io.switchboard.tracing.Tracing;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * Every service the launcher runs, in start order (dependencies first; {@code dev} closes them in reverse).
 * Each entry gives {@code dev} one more service and the jar one more sub-command for running it alone. The ingress
 * comes last: it is the front door, so nothing enters before the pipeline behind it is up.
 */
public final class Services {
    private Services() {
    }

    public static List<ServiceDefinition> all() {
        return observed(List.of(
                new ServiceDefinition("memory", "Conversation memory: local (from the topics) or Twilio Memory (HTTP)",
                        Services::memory),
                new ServiceDefinition("router", "Session lifecycle: inbound events to agent events (Kafka Streams)",
                        context -> new RouterService(RouterConfig.fromEnv(context.env()), meters(context),
                                tracing(context))),
                new ServiceDefinition("outbound", "Sends agent replies: Twilio's APIs for messaging, voice egress",
                        context -> new OutboundService(OutboundConfig.fromEnv(context.env()), meters(context),
                                tracing(context))),
                new ServiceDefinition("agent", "The example agent, a Kafka consumer on tac.agent.v1 (scale by running more):"
                        + " the LLM agent when OPENAI_BASE_URL is set, else the echo agent", Services::agent),
                new ServiceDefinition("ingress", "Twilio webhooks, the ConversationRelay socket and voice egress (HTTP)",
                        context -> new IngressService(IngressConfig.fromEnv(context.env()), vertx(context),
                                meters(context), tracing(context)))));
    }

    /** Each service, once built, gets the shared health routes and contributes its {@link Readiness} to them. */
    private static List<ServiceDefinition> observed(List<ServiceDefinition> definitions) {
        return definitions.stream().map(d -> new ServiceDefinition(d.command(), d.description(),
                context -> observed(context, d.factory().create(context)))).toList();
    }

    /** Registers the service's own readiness (if it has one) and the shared health routes; returns the service. */
    static <S extends ManagedService> S observed(ServiceContext context, S service) {
        Health health = health(context);
        if (service instanceof Readiness readiness) {
            health.add(service.name(), readiness);
        }
        return service;
    }

    /** One health endpoint pair per JVM: {@code /healthz}, {@code /readyz} on the operator listener. */
    static Health health(ServiceContext context) {
        return context.shared(Health.class, () -> {
            Health health = new Health(vertx(context), KafkaSettings.fromEnv(context.env()));
            routes(context).add(health);
            return health;
        }, Health::close);
    }

    /** The memory API is served on the operator listener (token required), alone as in {@code dev}. */
    private static MemoryService memory(ServiceContext context) {
        MemoryService memory = new MemoryService(MemoryConfig.fromEnv(context.env()), vertx(context), meters(context));
        routes(context).add(memory.routesForSharedServer());
        return memory;
    }

    /**
     * The LLM agent when an OpenAI-compatible endpoint is configured ({@code OPENAI_BASE_URL}), the echo agent
     * otherwise; either in SWITCHBOARD_AGENT_GROUP_ID's group, whose one default ({@code switchboard-agent}) is the
     * SDK's, so copies started by the README's scaling instructions join the agent {@code dev} runs.
     */
    private static SwitchboardAgent agent(ServiceContext context) {
        boolean llm = LlmConfig.isConfigured(context.env());
        SwitchboardAgent.Builder builder = SwitchboardAgent.builder(context.env()).meterRegistry(meters(context))
                .tracing(tracing(context));
        return llm ? LlmAgent.create(builder, LlmConfig.fromEnv(context.env())) : EchoAgent.create(builder);
    }

    /** One Vert.x per JVM: every HTTP server and client of the services in it shares the event loops. */
    public static Vertx vertx(ServiceContext context) {
        return context.shared(Vertx.class, Vertx::vertx, vertx -> vertx.close().await());
    }

    /**
     * One tracing per JVM: off unless OTEL_TRACES_EXPORTER names an exporter (OTEL_* variables, OTLP to a collector);
     * {@code dev} registers its in-process one first. Flushed and closed after every service.
     */
    public static Tracing tracing(ServiceContext context) {
        return context.shared(Tracing.class, () -> Tracing.fromEnv(context.env(), "switchboard"), Tracing::close);
    }

    /** One registry per JVM, scraped at {@code /metrics} on the operator listener. */
    static MeterRegistry meters(ServiceContext context) {
        return context.shared(MeterRegistry.class, () -> {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new JvmMemoryMetrics().bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
            routes(context).add(router -> router.get("/metrics").handler(ctx -> ctx.response()
                    .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(registry.scrape())));
            return registry;
        }, MeterRegistry::close);
    }

    public static HttpRoutes routes(ServiceContext context) {
        return context.shared(HttpRoutes.class, HttpRoutes::new, routes -> {
        });
    }

    /** The JVM's operator listener, bound on first use (SWITCHBOARD_OPERATOR_HOST/PORT); serves {@link #routes}. */
    public static OperatorListener operator(ServiceContext context) {
        return context.shared(OperatorListener.class, () -> {
            try {
                return OperatorListener.start(vertx(context), OperatorConfig.fromEnv(context.env()), routes(context));
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("The operator listener did not start", e);
            }
        }, OperatorListener::close);
    }
}
