package io.switchboard.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.events.Channel;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.SampleEvents;
import io.switchboard.events.Session;
import io.switchboard.events.Source;
import io.switchboard.events.inbound.Prompt;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** The hand-rolled single-object encoding is byte-for-byte Avro's BinaryMessageEncoder, and reads like its decoder. */
class EmbeddedAvroSerdeWireTest {
    private static final String TOPIC = "tac.inbound.v1";

    private static InboundEvent prompt(String text) {
        return InboundEvent.newBuilder().setEventId("9f1c3e55-5b1e-5a53-8d5e-0a3b2c1d4e5f")
                .setConversationId(SampleEvents.CALL).setOccurredAt(Instant.parse("2026-11-24T10:15:30Z"))
                .setTraceId("4bf92f3577b34da6a3ce929d0e0e4736").setSource(Source.RELAY)
                .setPayload(Prompt.newBuilder().setVoicePrompt(text).setLang("en-US").setLast(true).setTurn(3).build())
                .build();
    }

    private static OutboundEvent replyToken(String text, int sequence) {
        Session session = Session.newBuilder().setConversationId(SampleEvents.CALL).setChannel(Channel.VOICE)
                .setSource(Source.RELAY).setStartedAt(SampleEvents.AT).setCallSid(SampleEvents.CALL)
                .setRelaySessionId("VX00000000000000000000000000000001").setFrom("+15559876543").setTo("+15551234567")
                .setCustomParameters(Map.of("profileId", "mem_profile_01")).setIngressInstance(0).build();
        return OutboundEvent.newBuilder().setEventId("0c1d2e3f-4a5b-5c6d-8e7f-8091a2b3c4d5")
                .setConversationId(SampleEvents.CALL).setOccurredAt(SampleEvents.AT)
                .setTraceId("4bf92f3577b34da6a3ce929d0e0e4736").setInReplyTo("7a8b9c0d-1e2f-5a3b-8c4d-5e6f7a8b9c0d")
                .setTurn(3).setSession(session)
                .setPayload(Reply.newBuilder().setReplyId("r-1").setSequence(sequence).setText(text).setLast(false).build())
                .build();
    }

    /** Samples of every type, plus hand-built ones: small, non-ASCII, and larger than every internal buffer. */
    private static List<SpecificRecord> samples() {
        List<SpecificRecord> samples = new ArrayList<>(SampleEvents.all());
        samples.add(prompt("I want to change my delivery address."));
        samples.add(prompt(""));
        samples.add(prompt("Grüße, ¿qué tal? 你好 🎧"));
        samples.add(prompt("x".repeat(5_000) + "ü".repeat(70_000)));
        samples.add(replyToken("Sure, ", 2));
        samples.add(replyToken("€".repeat(3_000), Integer.MAX_VALUE));
        return samples;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static byte[] avroBytes(SpecificRecord event) throws IOException {
        Schema schema = EventModel.get().getSchema(event.getClass());
        ByteBuffer buffer = new BinaryMessageEncoder(EventModel.get(), schema).encode(event);
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void bytesAreThoseOfAvrosBinaryMessageEncoder() throws IOException {
        for (SpecificRecord event : samples()) {
            EmbeddedAvroSerde serde = new EmbeddedAvroSerde(event.getClass());
            assertThat(serde.serialize("t", event)).as(SampleEvents.nameOf(event)).isEqualTo(avroBytes(event));
            // and again, on the buffer the first call left behind
            assertThat(serde.serialize("t", event)).as(SampleEvents.nameOf(event)).isEqualTo(avroBytes(event));
        }
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void roundTripsAndAgreesWithAvrosDecoder() throws IOException {
        for (SpecificRecord event : samples()) {
            Schema schema = EventModel.get().getSchema(event.getClass());
            EmbeddedAvroSerde serde = new EmbeddedAvroSerde(event.getClass());
            byte[] bytes = serde.serialize("t", event);
            assertThat(serde.deserialize("t", bytes)).as(SampleEvents.nameOf(event)).isEqualTo(event);
            assertThat(serde.deserialize("t", avroBytes(event))).as(SampleEvents.nameOf(event)).isEqualTo(event);
            BinaryMessageDecoder avro = new BinaryMessageDecoder(EventModel.get(), schema, SchemaCatalog.get().store());
            assertThat(avro.decode(bytes)).as(SampleEvents.nameOf(event)).isEqualTo(event);
        }
    }

    @Test
    void oldReleasedSchemasDecodeLikeAvrosDecoder() throws IOException, URISyntaxException {
        Path fixtures = Path.of(getClass().getResource("/fixtures/v1").toURI());
        List<Path> outbound;
        try (Stream<Path> files = Files.list(fixtures)) {
            outbound = files.filter(p -> p.getFileName().toString().startsWith("OutboundEvent.")).sorted().toList();
        }
        assertThat(outbound).isNotEmpty();
        EmbeddedAvroSerde<OutboundEvent> serde = new EmbeddedAvroSerde<>(OutboundEvent.class);
        BinaryMessageDecoder<OutboundEvent> avro = new BinaryMessageDecoder<>(EventModel.get(),
                OutboundEvent.getClassSchema(), SchemaCatalog.get().store());
        for (Path file : outbound) {
            byte[] bytes = Files.readAllBytes(file);
            assertThat(Arrays.copyOfRange(bytes, 2, 10)).as("written with an older schema")
                    .isNotEqualTo(Arrays.copyOfRange(serde.serialize("t", replyToken("x", 1)), 2, 10));
            assertThat(serde.deserialize("t", bytes)).as(file.getFileName().toString()).isEqualTo(avro.decode(bytes));
        }
    }

    @Test
    void badInputIsASerializationErrorNamingTypeAndTopic() {
        EmbeddedAvroSerde<InboundEvent> serde = new EmbeddedAvroSerde<>(InboundEvent.class);
        byte[] good = serde.serialize("t", prompt("Where is my order?"));

        byte[] wrongMagic = good.clone();
        wrongMagic[0] = (byte) 0xC4;
        byte[] wrongVersion = good.clone();
        wrongVersion[1] = 0x02;
        byte[] unknownFingerprint = good.clone();
        Arrays.fill(unknownFingerprint, 2, 10, (byte) 7);
        List<byte[]> bad = new ArrayList<>(List.of(new byte[0], new byte[] {(byte) 0xC3}, Arrays.copyOf(good, 9),
                wrongMagic, wrongVersion, unknownFingerprint, "not avro, not at all".getBytes()));
        for (int length = 10; length < good.length; length++) {
            bad.add(Arrays.copyOf(good, length)); // every truncation of the body, down to the bare header
        }
        for (byte[] bytes : bad) {
            assertThatThrownBy(() -> serde.deserialize(TOPIC, bytes)).as("%d bytes", bytes.length)
                    .isInstanceOf(SerializationException.class)
                    .hasMessageStartingWith("Cannot decode InboundEvent from " + TOPIC + ": ");
        }
        assertThatThrownBy(() -> serde.deserialize(TOPIC, wrongMagic)).hasMessageContaining("Unrecognized header bytes: 0xC4 0x01");
        assertThatThrownBy(() -> serde.deserialize(TOPIC, new byte[3])).hasMessageContaining("Not enough header bytes");
        assertThatThrownBy(() -> serde.deserialize(TOPIC, unknownFingerprint)).hasMessageContaining("Cannot resolve schema for fingerprint");
        // still fine afterwards
        assertThat(serde.deserialize(TOPIC, good)).isEqualTo(prompt("Where is my order?"));
    }

    @Test
    void aFailedWriteLeavesNothingBehindForTheNext() throws IOException {
        EmbeddedAvroSerde<InboundEvent> serde = new EmbeddedAvroSerde<>(InboundEvent.class);
        InboundEvent broken = prompt("half written");
        broken.setTraceId(null); // not nullable: fails after eventId, conversationId and occurredAt are written
        assertThatThrownBy(() -> serde.serialize("tac.inbound.v1", broken))
                .isInstanceOf(SerializationException.class).hasMessageStartingWith("Cannot encode InboundEvent for tac.inbound.v1: ");
        InboundEvent ok = prompt("next one");
        assertThat(serde.serialize("t", ok)).isEqualTo(avroBytes(ok));
    }

    @Test
    void oneInstanceServesManyThreadsAtOnce() throws Exception {
        EmbeddedAvroSerde<InboundEvent> inbound = new EmbeddedAvroSerde<>(InboundEvent.class);
        EmbeddedAvroSerde<OutboundEvent> outbound = new EmbeddedAvroSerde<>(OutboundEvent.class);
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Callable<Integer> work = () -> {
                    start.await();
                    int checked = 0;
                    for (int i = 0; i < 2_000; i++) {
                        // sizes vary per thread and iteration, so a shared buffer would show up as wrong bytes
                        InboundEvent in = prompt("thread " + thread + " prompt " + i + " " + "é".repeat((i * 7 + thread) % 600));
                        OutboundEvent out = replyToken("token " + thread + "/" + i + "x".repeat((i * 13 + thread) % 3_000), i);
                        byte[] inBytes = inbound.serialize("t", in);
                        byte[] outBytes = outbound.serialize("t", out);
                        assertThat(inbound.deserialize("t", inBytes)).isEqualTo(in);
                        assertThat(outbound.deserialize("t", outBytes)).isEqualTo(out);
                        if (i % 100 == 0) {
                            assertThat(inBytes).isEqualTo(avroBytes(in));
                            assertThat(outBytes).isEqualTo(avroBytes(out));
                        }
                        checked++;
                    }
                    return checked;
                };
                results.add(pool.submit(work));
            }
            start.countDown();
            for (Future<Integer> result : results) {
                assertThat(result.get()).isEqualTo(2_000);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
