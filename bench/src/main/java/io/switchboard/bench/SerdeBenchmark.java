package io.switchboard.bench;

import io.switchboard.events.Channel;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.Session;
import io.switchboard.events.Source;
import io.switchboard.events.inbound.Prompt;
import io.switchboard.serde.EmbeddedAvroSerde;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The embedded framing's cost per record on the voice path: an inbound prompt and an outbound streamed token,
 * serialized and deserialized. {@code java -jar bench/target/bench.jar jmh}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SerdeBenchmark {
    private Serializer<InboundEvent> inboundSerializer;
    private Deserializer<InboundEvent> inboundDeserializer;
    private Serializer<OutboundEvent> outboundSerializer;
    private Deserializer<OutboundEvent> outboundDeserializer;
    private InboundEvent inbound;
    private OutboundEvent outbound;
    private byte[] inboundBytes;
    private byte[] outboundBytes;

    @Setup
    public void setup() {
        EmbeddedAvroSerde<InboundEvent> in = new EmbeddedAvroSerde<>(InboundEvent.class);
        EmbeddedAvroSerde<OutboundEvent> out = new EmbeddedAvroSerde<>(OutboundEvent.class);
        inboundSerializer = in.serializer();
        inboundDeserializer = in.deserializer();
        outboundSerializer = out.serializer();
        outboundDeserializer = out.deserializer();
        String call = "CA00000000000000000000000000000001";
        Instant at = Instant.parse("2026-11-24T10:15:30Z");
        inbound = InboundEvent.newBuilder().setEventId("9f1c3e55-5b1e-5a53-8d5e-0a3b2c1d4e5f").setConversationId(call)
                .setOccurredAt(at).setTraceId("4bf92f3577b34da6a3ce929d0e0e4736").setSource(Source.RELAY)
                .setPayload(Prompt.newBuilder().setVoicePrompt("I want to change my delivery address.")
                        .setLang("en-US").setLast(true).setTurn(3).build())
                .build();
        Session session = Session.newBuilder().setConversationId(call).setChannel(Channel.VOICE).setSource(Source.RELAY)
                .setStartedAt(at).setCallSid(call).setRelaySessionId("VX00000000000000000000000000000001")
                .setFrom("+15559876543").setTo("+15551234567").setCustomParameters(Map.of()).setIngressInstance(0)
                .build();
        outbound = OutboundEvent.newBuilder().setEventId("0c1d2e3f-4a5b-5c6d-8e7f-8091a2b3c4d5").setConversationId(call)
                .setOccurredAt(at).setTraceId("4bf92f3577b34da6a3ce929d0e0e4736")
                .setInReplyTo("7a8b9c0d-1e2f-5a3b-8c4d-5e6f7a8b9c0d").setTurn(3).setSession(session)
                .setPayload(Reply.newBuilder().setReplyId("r-1").setSequence(2).setText("Sure, ").setLast(false).build())
                .build();
        inboundBytes = inboundSerializer.serialize("tac.inbound.v1", inbound);
        outboundBytes = outboundSerializer.serialize("tac.outbound.v1", outbound);
    }

    @Benchmark
    public byte[] serializeInboundPrompt() {
        return inboundSerializer.serialize("tac.inbound.v1", inbound);
    }

    @Benchmark
    public InboundEvent deserializeInboundPrompt() {
        return inboundDeserializer.deserialize("tac.inbound.v1", inboundBytes);
    }

    @Benchmark
    public byte[] serializeOutboundReplyToken() {
        return outboundSerializer.serialize("tac.outbound.v1", outbound);
    }

    @Benchmark
    public OutboundEvent deserializeOutboundReplyToken() {
        return outboundDeserializer.deserialize("tac.outbound.v1", outboundBytes);
    }
}
