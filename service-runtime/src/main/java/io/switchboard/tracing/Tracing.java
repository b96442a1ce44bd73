package io.switchboard.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * A process's OpenTelemetry tracing: one per JVM, shared by every service in it. {@link #OFF} (the default) is
 * OpenTelemetry's no-op: spans cost an allocation-free call and nothing is exported. {@link #fromEnv} turns it on
 * when {@code OTEL_TRACES_EXPORTER} names an exporter (and {@code OTEL_SDK_DISABLED} is not true), configured
 * from the standard {@code OTEL_*} variables. The trace context travels in Kafka record headers as W3C
 * {@code traceparent}, so every stage continues the turn's one trace.
 */
public final class Tracing implements AutoCloseable {
    /** Tracing off: OpenTelemetry's no-op, nothing recorded, nothing exported, no header written. */
    public static final Tracing OFF = new Tracing(OpenTelemetry.noop(), null, false);

    static final String SCOPE = "io.switchboard";
    private static final TextMapPropagator PROPAGATOR = W3CTraceContextPropagator.getInstance();

    private final OpenTelemetry openTelemetry;
    private final OpenTelemetrySdk sdk;
    private final Tracer tracer;
    private final boolean enabled;

    private Tracing(OpenTelemetry openTelemetry, OpenTelemetrySdk sdk, boolean enabled) {
        this.openTelemetry = openTelemetry;
        this.sdk = sdk;
        this.tracer = openTelemetry.getTracer(SCOPE);
        this.enabled = enabled;
    }

    /**
     * Tracing as the environment asks: {@link #OFF} unless {@code OTEL_TRACES_EXPORTER} is set to something other
     * than {@code none} and {@code OTEL_SDK_DISABLED} is not {@code true}; otherwise OpenTelemetry's autoconfiguration
     * reads every {@code OTEL_*} variable of {@code env} (endpoint, sampler, resource attributes...).
     * {@code defaultServiceName} names the process when {@code OTEL_SERVICE_NAME} does not. Metrics and logs stay
     * Micrometer's and logback's: their OTel exporters are off unless asked for. OTLP goes over HTTP/protobuf
     * (port 4318 of a collector) unless {@code OTEL_EXPORTER_OTLP_PROTOCOL} says otherwise.
     */
    public static Tracing fromEnv(Map<String, String> env, String defaultServiceName) {
        String exporter = env.getOrDefault("OTEL_TRACES_EXPORTER", "").trim();
        if (exporter.isEmpty() || exporter.equalsIgnoreCase("none")
                || "true".equalsIgnoreCase(env.getOrDefault("OTEL_SDK_DISABLED", "").trim())) {
            return OFF;
        }
        Map<String, String> properties = new HashMap<>();
        properties.put("otel.metrics.exporter", "none");
        properties.put("otel.logs.exporter", "none");
        properties.put("otel.service.name", defaultServiceName);
        // OTLP over HTTP: the JDK's HTTP client sends it (the SDK's default, gRPC, would need OkHttp or grpc-java)
        properties.put("otel.exporter.otlp.protocol", "http/protobuf");
        env.forEach((name, value) -> {
            if (name.startsWith("OTEL_")) {
                properties.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> properties)
                .disableShutdownHook()
                .build()
                .getOpenTelemetrySdk();
        return new Tracing(sdk, sdk, true);
    }

    /**
     * Tracing into {@code exporter}, every span sampled and handed over as it ends (no batching): {@code dev}'s
     * in-process spans for the simulator, and tests.
     */
    public static Tracing inProcess(SpanExporter exporter, String serviceName) {
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().toBuilder().put("service.name", serviceName).build())
                .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                .build();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(provider).build();
        return new Tracing(sdk, sdk, true);
    }

    /** Whether spans are recorded (false for {@link #OFF}: callers may skip work that only feeds spans). */
    public boolean enabled() {
        return enabled;
    }

    public Tracer tracer() {
        return tracer;
    }

    public OpenTelemetry openTelemetry() {
        return openTelemetry;
    }

    /** Writes {@code context}'s span as {@code traceparent} into {@code headers} (replacing any earlier one). */
    public void inject(Context context, Headers headers) {
        if (enabled) {
            PROPAGATOR.inject(context, headers, KafkaHeaders.SETTER);
        }
    }

    /** Writes {@code span}, a child of {@code parent}, into {@code headers} (nothing at all, not even a context, when off). */
    public void inject(Context parent, Span span, Headers headers) {
        if (enabled) {
            PROPAGATOR.inject(parent.with(span), headers, KafkaHeaders.SETTER);
        }
    }

    /** The trace context a record's headers carry, or the root context when they carry none. */
    public Context extract(Headers headers) {
        if (!enabled || headers == null) {
            return Context.root();
        }
        return PROPAGATOR.extract(Context.root(), headers, KafkaHeaders.GETTER);
    }

    /** {@code context}'s span as a W3C {@code traceparent} string (for state kept outside a record), or null. */
    public String traceparent(Context context) {
        if (!enabled) {
            return null;
        }
        Map<String, String> carrier = new HashMap<>(2);
        PROPAGATOR.inject(context, carrier, Map::put);
        return carrier.get(KafkaHeaders.TRACEPARENT);
    }

    /** The context a {@link #traceparent} string stands for; the root context for null. */
    public Context fromTraceparent(String traceparent) {
        if (!enabled || traceparent == null) {
            return Context.root();
        }
        return PROPAGATOR.extract(Context.root(), Map.of(KafkaHeaders.TRACEPARENT, traceparent), MapGetter.INSTANCE);
    }

    /**
     * A PRODUCER span {@code send <topic>} under {@code parent} (messaging semantic conventions); the caller
     * {@link #inject}s it into the record and ends it when Kafka acknowledged ({@link Messaging#acknowledged}).
     */
    public Span send(Context parent, String topic, String conversationId) {
        if (!enabled) {
            return Span.getInvalid();
        }
        return Messaging.attributes(tracer.spanBuilder("send " + topic).setParent(parent).setSpanKind(SpanKind.PRODUCER),
                topic, "send", conversationId).startSpan();
    }

    /**
     * A CONSUMER span {@code process <topic>} for one record, continuing the trace its headers carry, with its
     * partition, offset and {@code group}'s name (null for an assigned consumer).
     */
    public Span process(ConsumerRecord<String, ?> record, String group) {
        return process(record.topic(), record.partition(), record.offset(), record.key(), group, record.headers());
    }

    /** {@link #process(ConsumerRecord, String)} from a record's parts (a Kafka Streams record). */
    public Span process(String topic, int partition, long offset, String conversationId, String group, Headers headers) {
        if (!enabled) {
            return Span.getInvalid();
        }
        var builder = Messaging.attributes(tracer.spanBuilder("process " + topic).setParent(extract(headers))
                .setSpanKind(SpanKind.CONSUMER), topic, "process", conversationId);
        builder.setAttribute(Messaging.PARTITION, Integer.toString(partition));
        builder.setAttribute(Messaging.OFFSET, offset);
        if (group != null) {
            builder.setAttribute(Messaging.GROUP, group);
        }
        return builder.startSpan();
    }

    /** Flushes what is still to be exported and stops the SDK (no-op for {@link #OFF}). */
    @Override
    public void close() {
        if (sdk != null) {
            sdk.getSdkTracerProvider().forceFlush().join(5, TimeUnit.SECONDS);
            sdk.close();
        }
    }

    private enum MapGetter implements io.opentelemetry.context.propagation.TextMapGetter<Map<String, String>> {
        INSTANCE;

        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    }
}
