package io.switchboard.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** Off unless asked for; on, a trace goes through a record's headers and a stored traceparent. */
class TracingTest {
    @Test
    void tracingIsOffWithoutAnExporterWithNoneAndWhenTheSdkIsDisabled() {
        assertThat(Tracing.fromEnv(Map.of(), "s")).isSameAs(Tracing.OFF);
        assertThat(Tracing.fromEnv(Map.of("OTEL_TRACES_EXPORTER", "none"), "s")).isSameAs(Tracing.OFF);
        assertThat(Tracing.fromEnv(Map.of("OTEL_TRACES_EXPORTER", "console", "OTEL_SDK_DISABLED", "true"), "s"))
                .isSameAs(Tracing.OFF);
    }

    @Test
    void otlpExportGoesOverHttpToTheConfiguredCollector() throws Exception {
        try (ServerSocket collector = new ServerSocket(0)) {
            collector.setSoTimeout(20_000);
            CompletableFuture<String> requestLine = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = collector.accept()) {
                    String line = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                            StandardCharsets.US_ASCII)).readLine();
                    socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    return line;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try (Tracing tracing = Tracing.fromEnv(Map.of("OTEL_TRACES_EXPORTER", "otlp",
                    "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + collector.getLocalPort()), "switchboard-test")) {
                tracing.send(Context.root(), "tac.inbound.v1", "conv_1").end();
            } // close flushes the batch
            assertThat(requestLine.get(20, TimeUnit.SECONDS)).isEqualTo("POST /v1/traces HTTP/1.1");
        }
    }

    @Test
    void offRecordsNothingAndWritesNoHeader() {
        Span span = Tracing.OFF.send(Context.root(), "tac.inbound.v1", "conv_1");
        RecordHeaders headers = new RecordHeaders();
        Tracing.OFF.inject(Context.root().with(span), headers);

        assertThat(span.isRecording()).isFalse();
        assertThat(headers.toArray()).isEmpty();
        assertThat(Tracing.OFF.traceparent(Context.root().with(span))).isNull();
    }

    @Test
    void anExporterNamedInTheEnvironmentTurnsItOn() {
        try (Tracing tracing = Tracing.fromEnv(Map.of("OTEL_TRACES_EXPORTER", "console"), "switchboard-test")) {
            assertThat(tracing.enabled()).isTrue();
            assertThat(tracing.send(Context.root(), "tac.inbound.v1", "conv_1").isRecording()).isTrue();
        }
    }

    @Test
    void aRecordsConsumerSpanContinuesItsProducersTrace() {
        RecentSpans spans = new RecentSpans(16);
        try (Tracing tracing = Tracing.inProcess(spans, "test")) {
            Span send = tracing.send(Context.root(), "tac.inbound.v1", "conv_1");
            RecordHeaders headers = new RecordHeaders();
            headers.add("traceparent", "stale".getBytes(StandardCharsets.UTF_8));
            tracing.inject(Context.root().with(send), headers);
            Messaging.acknowledged(send, 3, 42L, null);
            assertThat(headers.headers("traceparent")).hasSize(1);

            ConsumerRecord<String, Object> record = new ConsumerRecord<>("tac.inbound.v1", 3, 42L, "conv_1", null);
            headers.forEach(h -> record.headers().add(h));
            tracing.process(record, "switchboard-router").end();

            SpanData produced = spans.all().get(0);
            SpanData consumed = spans.all().get(1);
            assertThat(produced.getName()).isEqualTo("send tac.inbound.v1");
            assertThat(produced.getKind()).isEqualTo(SpanKind.PRODUCER);
            assertThat(produced.getAttributes().get(Messaging.OFFSET)).isEqualTo(42L);
            assertThat(consumed.getName()).isEqualTo("process tac.inbound.v1");
            assertThat(consumed.getKind()).isEqualTo(SpanKind.CONSUMER);
            assertThat(consumed.getTraceId()).isEqualTo(produced.getTraceId());
            assertThat(consumed.getParentSpanId()).isEqualTo(produced.getSpanId());
            assertThat(consumed.getAttributes().get(Messaging.GROUP)).isEqualTo("switchboard-router");
            assertThat(consumed.getAttributes().get(Messaging.PARTITION)).isEqualTo("3");
            assertThat(consumed.getAttributes().get(Messaging.CONVERSATION_ID)).isEqualTo("conv_1");
        }
    }

    @Test
    void aStoredTraceparentStandsForTheSpanItWasTakenFrom() {
        RecentSpans spans = new RecentSpans(16);
        try (Tracing tracing = Tracing.inProcess(spans, "test")) {
            Span held = tracing.tracer().spanBuilder("held").startSpan();
            String stored = tracing.traceparent(Context.root().with(held));
            held.end();
            tracing.tracer().spanBuilder("later").setParent(tracing.fromTraceparent(stored)).startSpan().end();

            assertThat(stored).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
            assertThat(spans.all().get(1).getParentSpanId()).isEqualTo(spans.all().get(0).getSpanId());
            assertThat(tracing.fromTraceparent(null)).isEqualTo(Context.root());
        }
    }

    @Test
    void recentSpansKeepsOnlyTheLatest() {
        RecentSpans spans = new RecentSpans(2);
        try (Tracing tracing = Tracing.inProcess(spans, "test")) {
            for (String name : new String[] {"a", "b", "c"}) {
                tracing.tracer().spanBuilder(name).startSpan().end();
            }
        }
        assertThat(spans.all()).extracting(SpanData::getName).containsExactly("b", "c");
    }
}
