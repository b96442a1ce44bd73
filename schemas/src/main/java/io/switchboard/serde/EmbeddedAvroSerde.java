package io.switchboard.serde;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The {@link Framing#EMBEDDED} framing: Avro single-object encoding. Writes with the current schema; reads any
 * released schema (found by fingerprint in the {@link SchemaCatalog}) into the current generated class.
 * <p>
 * The bytes are exactly those of Avro's {@code BinaryMessageEncoder} ({@code C3 01}, the writer schema's
 * CRC-64-AVRO fingerprint little-endian, the Avro binary body), but written with a buffered encoder into a buffer
 * kept per thread and read with a buffered decoder straight from the array; Avro's message codecs use the direct
 * (byte-at-a-time, synchronized-stream) encoder and decoder. One instance serves every thread.
 */
public final class EmbeddedAvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {
    /** Magic bytes, fingerprint: the single-object encoding header. */
    static final int HEADER_LENGTH = 10;
    private static final byte MAGIC_0 = (byte) 0xC3;
    private static final byte MAGIC_1 = (byte) 0x01;

    /** Buffers of this size or less are kept for the thread's next record; a larger one is dropped after use. */
    private static final int KEPT_BUFFER_LIMIT = 1 << 20;

    private static final ThreadLocal<Codec> CODEC = ThreadLocal.withInitial(Codec::new);

    private final Class<T> type;
    private final SpecificData model;
    private final Schema schema;
    private final byte[] header;
    private final long fingerprint;
    private final SpecificDatumWriter<T> writer;
    private final SpecificDatumReader<T> currentReader;
    /** Readers for older writer schemas, by fingerprint; only schemas the catalog knows get here. */
    private final Map<Long, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();

    public EmbeddedAvroSerde(Class<T> type) {
        this.type = type;
        this.model = EventModel.get();
        this.schema = model.getSchema(type);
        this.fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        this.header = header(fingerprint);
        this.writer = new SpecificDatumWriter<>(schema, model);
        this.currentReader = new SpecificDatumReader<>(schema, schema, model);
    }

    /** The single-object header of a writer schema with this fingerprint: magic bytes, then the fingerprint. */
    static byte[] header(long fingerprint) {
        byte[] header = new byte[HEADER_LENGTH];
        header[0] = MAGIC_0;
        header[1] = MAGIC_1;
        long fp = fingerprint;
        for (int i = 2; i < HEADER_LENGTH; i++) { // little-endian, as BinaryMessageEncoder writes it
            header[i] = (byte) fp;
            fp >>>= 8;
        }
        return header;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        Codec codec = CODEC.get();
        boolean shared = !codec.encoding;
        if (!shared) {
            codec = new Codec(); // serialize called from within serialize on this thread: don't clobber the outer one
        }
        codec.encoding = true;
        boolean failed = true;
        try {
            Buffer out = codec.out;
            out.reset();
            out.write(header, 0, HEADER_LENGTH);
            BinaryEncoder encoder = codec.encoder;
            writer.write(data, encoder);
            encoder.flush();
            byte[] bytes = out.toByteArray();
            failed = false;
            return bytes;
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot encode " + type.getSimpleName() + " for " + topic + ": " + e.getMessage(), e);
        } finally {
            codec.encoding = false;
            if (shared && (failed || codec.out.capacity() > KEPT_BUFFER_LIMIT)) {
                // a failed write may leave bytes in the encoder's own buffer; start the next one afresh
                CODEC.remove();
            }
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            if (data.length < HEADER_LENGTH) {
                throw new BadHeaderException("Not enough header bytes");
            }
            if (data[0] != MAGIC_0 || data[1] != MAGIC_1) {
                throw new BadHeaderException(String.format("Unrecognized header bytes: 0x%02X 0x%02X", data[0], data[1]));
            }
            SpecificDatumReader<T> reader = readerFor(littleEndianLong(data, 2));
            Codec codec = CODEC.get();
            if (codec.decoding) {
                codec = new Codec(); // deserialize called from within deserialize on this thread
            }
            codec.decoding = true;
            try {
                BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, HEADER_LENGTH, data.length - HEADER_LENGTH, codec.decoder);
                codec.decoder = decoder;
                return reader.read(null, BoundedDecoder.of(decoder));
            } finally {
                codec.decoding = false;
            }
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot decode " + type.getSimpleName() + " from " + topic + ": " + e.getMessage(), e);
        }
    }

    private SpecificDatumReader<T> readerFor(long writerFingerprint) {
        if (writerFingerprint == fingerprint) {
            return currentReader;
        }
        SpecificDatumReader<T> reader = readers.get(writerFingerprint);
        if (reader != null) {
            return reader;
        }
        Schema writerSchema = SchemaCatalog.get().store().findByFingerprint(writerFingerprint);
        if (writerSchema == null) {
            throw new MissingSchemaException("Cannot resolve schema for fingerprint: " + writerFingerprint);
        }
        return readers.computeIfAbsent(writerFingerprint, fp -> new SpecificDatumReader<>(writerSchema, schema, model));
    }

    private static long littleEndianLong(byte[] bytes, int offset) {
        long value = 0;
        for (int i = offset + 7; i >= offset; i--) {
            value = (value << 8) | (bytes[i] & 0xFFL);
        }
        return value;
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // configured at construction
    }

    @Override
    public void close() {
        // nothing held
    }

    /** A thread's encoding buffer and encoder (bound to it for good) and its reusable decoder. */
    private static final class Codec {
        final Buffer out = new Buffer();
        final BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        BinaryDecoder decoder;
        boolean encoding;
        boolean decoding;
    }

    /** A growable byte array without {@code ByteArrayOutputStream}'s locking. */
    private static final class Buffer extends OutputStream {
        private byte[] bytes = new byte[512];
        private int count;

        void reset() {
            count = 0;
        }

        int capacity() {
            return bytes.length;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(bytes, count);
        }

        @Override
        public void write(int b) {
            if (count == bytes.length) {
                grow(1);
            }
            bytes[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (len > bytes.length - count) {
                grow(len);
            }
            System.arraycopy(b, off, bytes, count, len);
            count += len;
        }

        private void grow(int more) {
            int needed = count + more;
            if (needed < 0) {
                throw new OutOfMemoryError("Record too large to encode");
            }
            bytes = Arrays.copyOf(bytes, Math.max(needed, bytes.length * 2));
        }
    }
}
