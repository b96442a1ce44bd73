package io.switchboard.serde;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.SchemaStore;

/**
 * Every released writer schema of every topic type, so that records written by any earlier version stay readable.
 * A release is a folder {@code released/vN/} of self-contained {@code .avsc} files listed in {@code released/index.txt};
 * old versions are never edited or removed.
 */
public final class SchemaCatalog {
    static final String ROOT = "/io/switchboard/schemas/released/";

    private static final SchemaCatalog INSTANCE = load();

    private final List<Released> released;
    private final SchemaStore.Cache store = new SchemaStore.Cache();

    /** One released schema: the version folder it lives in and the schema itself. */
    public record Released(String version, Schema schema) {
        public long fingerprint() {
            return SchemaNormalization.parsingFingerprint64(schema);
        }
    }

    private SchemaCatalog(List<Released> released) {
        this.released = Collections.unmodifiableList(released);
        released.forEach(r -> store.addSchema(r.schema()));
    }

    public static SchemaCatalog get() {
        return INSTANCE;
    }

    public List<Released> released() {
        return released;
    }

    /** Writer schemas by fingerprint, for Avro's single-object decoder. */
    public SchemaStore store() {
        return store;
    }

    private static SchemaCatalog load() {
        List<Released> all = new ArrayList<>();
        try (InputStream index = SchemaCatalog.class.getResourceAsStream(ROOT + "index.txt")) {
            if (index == null) {
                throw new IllegalStateException("Schema catalog index missing from the classpath: " + ROOT + "index.txt");
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(index, StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                all.add(new Released(line.substring(0, line.indexOf('/')), parse(line)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SchemaCatalog(all);
    }

    private static Schema parse(String path) throws IOException {
        try (InputStream in = SchemaCatalog.class.getResourceAsStream(ROOT + path)) {
            if (in == null) {
                throw new IllegalStateException("Released schema listed but missing: " + ROOT + path);
            }
            return new Schema.Parser().parse(in);
        }
    }
}
