package io.switchboard.serde;

import io.apicurio.registry.serde.avro.DefaultAvroDatumProvider;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;

/**
 * Apicurio's datum provider with its readers and writers cached by schema instance. Apicurio 3.1.7 computes the
 * schema's parsing fingerprint for every record to find its cached reader or writer, which costs about 50-100 µs per
 * record for our union schemas; the schema objects it hands us are stable (a generated class's {@code SCHEMA$}, the
 * resolver's cached parse of a registry id), so an identity look-up finds the same reader or writer. Readers read through a {@link BoundedDecoder}.
 */
public final class CachingAvroDatumProvider<T> extends DefaultAvroDatumProvider<T> {
    private static final int MAX_ENTRIES = 1_000;
    private final Map<Key, DatumWriter<T>> writers = new ConcurrentHashMap<>();
    private final Map<Key, DatumReader<T>> readers = new ConcurrentHashMap<>();

    public CachingAvroDatumProvider() {
        super(true);
    }

    @Override
    public DatumWriter<T> createDatumWriter(T data, Schema schema) {
        return cached(writers, schema, s -> super.createDatumWriter(data, s));
    }

    @Override
    public DatumReader<T> createDatumReader(Schema schema) {
        return cached(readers, schema, s -> BoundedDecoder.reading(super.createDatumReader(s)));
    }

    private static <V> V cached(Map<Key, V> cache, Schema schema, Function<Schema, V> create) {
        Key key = new Key(schema);
        V value = cache.get(key);
        if (value == null) {
            if (cache.size() >= MAX_ENTRIES) {
                cache.clear();
            }
            value = create.apply(schema);
            cache.put(key, value);
        }
        return value;
    }

    /** Identity of a schema instance. */
    private record Key(Schema schema) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.schema == schema;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(schema);
        }
    }
}
