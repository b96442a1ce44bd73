package io.switchboard.bench;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.switchboard.tracing.Messaging;
import io.switchboard.tracing.RecentSpans;
import io.switchboard.tracing.Tracing;
import java.lang.management.ManagementFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What tracing costs per turn, apart from the noise of a whole stack: the spans of one messaging turn as Switchboard's
 * services make them (webhook SERVER span, send/process through tac.inbound.v1, the router's stored traceparent,
 * process tac.agent.v1 with the handler span and a reply, process tac.outbound.v1 with the Twilio CLIENT span: 10
 * spans), repeated in one JVM with tracing off, in process (dev's exporter) and exported over OTLP/HTTP to a no-op
 * collector in the same JVM; prints the process CPU per turn of each, three rounds.
 * {@code java -cp bench/target/bench.jar io.switchboard.bench.TracingCost}
 */
public final class TracingCost {
    private TracingCost() {
    }

    private static void turn(Tracing t, int i) {
        String conv = "conv_" + (i & 1023);
        Span server = !t.enabled() ? Span.getInvalid() : t.tracer().spanBuilder("POST /webhook").setSpanKind(SpanKind.SERVER)
                .setAttribute("http.route", "/webhook").startSpan();
        Context root = Context.root().with(server);
        ConsumerRecord<String, Object> rec = new ConsumerRecord<>("tac.inbound.v1", 0, i, conv, null);
        Span send = t.send(root, "tac.inbound.v1", conv);
        t.inject(root.with(send), rec.headers());
        Messaging.acknowledged(send, 0, i, null);
        server.end();
        Span routed = t.process(rec, "switchboard-router");
        String stored = t.traceparent(Context.root().with(routed));
        ConsumerRecord<String, Object> agentRec = new ConsumerRecord<>("tac.agent.v1", 0, i, conv, null);
        t.inject(t.fromTraceparent(stored), agentRec.headers());
        routed.end();
        Span agent = t.process(agentRec, "switchboard-agent");
        Span handler = !t.enabled() ? Span.getInvalid() : t.tracer().spanBuilder("handle message").setParent(Context.root().with(agent)).startSpan();
        Context hc = Context.root().with(agent).with(handler);
        ConsumerRecord<String, Object> out = new ConsumerRecord<>("tac.outbound.v1", 0, i, conv, null);
        Span reply = t.send(hc, "tac.outbound.v1", conv);
        t.inject(hc.with(reply), out.headers());
        Messaging.acknowledged(reply, 0, i, null);
        handler.end();
        agent.end();
        Span outbound = t.process(out, "switchboard-outbound");
        try (Scope s = t.enabled() ? outbound.makeCurrent() : Scope.noop()) {
            Span twilio = !t.enabled() ? Span.getInvalid() : t.tracer().spanBuilder("POST Twilio message").setSpanKind(SpanKind.CLIENT).startSpan();
            twilio.setAttribute("http.response.status_code", 201L);
            twilio.end();
        }
        outbound.end();
    }

    public static void main(String[] args) throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        // a no-op OTLP collector: answers 200 to every export, reads nothing it need not
        var sink = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        sink.createContext("/", x -> { x.getRequestBody().readAllBytes(); x.sendResponseHeaders(200, -1); x.close(); });
        sink.start();
        String endpoint = "http://127.0.0.1:" + sink.getAddress().getPort();
        int n = 100_000;
        for (int round = 0; round < 3; round++) {
            for (String mode : new String[] {"off", "in-process", "otlp"}) {
                Tracing t = switch (mode) {
                    case "off" -> Tracing.OFF;
                    case "in-process" -> Tracing.inProcess(new RecentSpans(8192), "bench");
                    default -> Tracing.fromEnv(java.util.Map.of("OTEL_TRACES_EXPORTER", "otlp",
                            "OTEL_EXPORTER_OTLP_ENDPOINT", endpoint, "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf", "OTEL_BSP_MAX_QUEUE_SIZE", "65536"), "bench");
                };
                for (int i = 0; i < 20_000; i++) turn(t, i); // warm-up
                long cpu = os.getProcessCpuTime();
                long wall = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    turn(t, i);
                    if ((i & 127) == 0) Thread.sleep(0, 100_000); // ~ paced: the exporter keeps up, as under real load
                }
                if (t != Tracing.OFF) t.close(); // flush what is queued: its export counts
                double us = (os.getProcessCpuTime() - cpu) / 1e3 / n;
                System.out.printf("round %d %-10s: %.2f µs process CPU per turn (10 spans when on), %.1f s%n", round, mode, us,
                        (System.nanoTime() - wall) / 1e9);
            }
        }
        sink.stop(0);
    }
}
