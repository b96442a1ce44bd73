package io.switchboard.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * An Avro binary decoder over one record's bytes that refuses a length or item count larger than the bytes left,
 * before allocating for it. Avro's own decoder allocates what a string's or bytes' length prefix claims and sizes an
 * array by its count (up to 2 GiB), so a few corrupt bytes on a topic could make a consumer allocate gigabytes and
 * die of an OutOfMemoryError instead of dead-lettering one record (found by {@code SerdeFuzzTest}). Every item of
 * every Switchboard schema takes at least one byte, so a count above the bytes left is always corrupt.
 */
final class BoundedDecoder extends Decoder {
    private final BinaryDecoder in;

    private BoundedDecoder(BinaryDecoder in) {
        this.in = in;
    }

    /** {@code in} bounded, if it reads from a byte array (what both framings decode); any other decoder as it is. */
    static Decoder of(Decoder in) {
        return in instanceof BinaryDecoder binary && !(in instanceof BoundedDecoder) ? new BoundedDecoder(binary) : in;
    }

    /** {@code reader}, reading through a {@link BoundedDecoder}. */
    static <T> DatumReader<T> reading(DatumReader<T> reader) {
        return new DatumReader<>() {
            @Override
            public void setSchema(Schema schema) {
                reader.setSchema(schema);
            }

            @Override
            public T read(T reuse, Decoder decoder) throws IOException {
                return reader.read(reuse, of(decoder));
            }
        };
    }

    private long left() throws IOException {
        return in.inputStream().available();
    }

    private int length(long claimed) throws IOException {
        if (claimed < 0 || claimed > left()) {
            throw new AvroRuntimeException("Length " + claimed + " with " + left() + " bytes left");
        }
        return (int) claimed;
    }

    private long count(long claimed) throws IOException {
        // a negative block count is followed by the block's size in bytes (Avro's blocked encoding)
        if (claimed > left() || claimed < -left()) {
            throw new AvroRuntimeException("Count of " + claimed + " items with " + left() + " bytes left");
        }
        return claimed;
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int length = length(in.readLong());
        Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(length);
        if (length > 0) {
            in.readFixed(result.getBytes(), 0, length);
        }
        return result;
    }

    @Override
    public String readString() throws IOException {
        return readString(null).toString();
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        int length = length(in.readLong());
        ByteBuffer result = old != null && length <= old.capacity() ? old.clear() : ByteBuffer.allocate(length);
        in.readFixed(result.array(), result.arrayOffset() + result.position(), length);
        result.limit(length);
        return result;
    }

    @Override
    public long readArrayStart() throws IOException {
        return count(in.readArrayStart());
    }

    @Override
    public long arrayNext() throws IOException {
        return count(in.arrayNext());
    }

    @Override
    public long readMapStart() throws IOException {
        return count(in.readMapStart());
    }

    @Override
    public long mapNext() throws IOException {
        return count(in.mapNext());
    }

    @Override
    public long skipArray() throws IOException {
        return in.skipArray();
    }

    @Override
    public long skipMap() throws IOException {
        return in.skipMap();
    }

    @Override
    public void readNull() throws IOException {
        in.readNull();
    }

    @Override
    public boolean readBoolean() throws IOException {
        return in.readBoolean();
    }

    @Override
    public int readInt() throws IOException {
        return in.readInt();
    }

    @Override
    public long readLong() throws IOException {
        return in.readLong();
    }

    @Override
    public float readFloat() throws IOException {
        return in.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
        return in.readDouble();
    }

    @Override
    public void skipString() throws IOException {
        in.skipString();
    }

    @Override
    public void skipBytes() throws IOException {
        in.skipBytes();
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        in.readFixed(bytes, start, length);
    }

    @Override
    public void skipFixed(int length) throws IOException {
        in.skipFixed(length);
    }

    @Override
    public int readEnum() throws IOException {
        return in.readEnum();
    }

    @Override
    public int readIndex() throws IOException {
        return in.readIndex();
    }
}
