package io.switchboard.serde;

import io.switchboard.topics.Topic;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Writes the wire contract for readers in other languages: every released writer schema ({@code released/vN/}, the
 * files of the {@link SchemaCatalog}), the schema each topic's type is written with now ({@code current/}),
 * {@code fingerprints.tsv} (the single-object header of each), {@code topics.json} (topic, key, value type, retention)
 * and {@code FRAMING.md} (both framings byte by byte).
 */
public final class SchemaExport {
    private static final String FRAMING = "/io/switchboard/schemas/FRAMING.md";

    private SchemaExport() {
    }

    /** Writes the export into {@code dir} (created if missing) and returns the files written. */
    public static List<Path> write(Path dir) throws IOException {
        List<Path> written = new ArrayList<>();
        StringBuilder fingerprints = new StringBuilder("version\ttype\tfingerprint\theader_hex\n");
        for (SchemaCatalog.Released released : SchemaCatalog.get().released()) {
            written.add(writeSchema(dir.resolve("released").resolve(released.version()), released.schema()));
            fingerprints.append(row(released.version(), released.schema()));
        }
        for (Topic topic : Topic.values()) {
            Schema schema = EventModel.get().getSchema(topic.valueType());
            written.add(writeSchema(dir.resolve("current"), schema));
            fingerprints.append(row("current", schema));
        }
        written.add(Files.writeString(dir.resolve("fingerprints.tsv"), fingerprints, StandardCharsets.UTF_8));
        written.add(Files.writeString(dir.resolve("topics.json"), topicsJson(), StandardCharsets.UTF_8));
        try (InputStream framing = SchemaExport.class.getResourceAsStream(FRAMING)) {
            if (framing == null) {
                throw new IllegalStateException("missing from the classpath: " + FRAMING);
            }
            Path file = dir.resolve("FRAMING.md");
            Files.write(file, framing.readAllBytes());
            written.add(file);
        }
        return written;
    }

    private static Path writeSchema(Path dir, Schema schema) {
        try {
            Files.createDirectories(dir);
            return Files.writeString(dir.resolve(schema.getFullName() + ".avsc"), schema.toString(true) + "\n",
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String row(String version, Schema schema) {
        return version + "\t" + schema.getFullName() + "\t" + SchemaNormalization.parsingFingerprint64(schema) + "\t"
                + HexFormat.of().formatHex(EmbeddedAvroSerde.header(SchemaNormalization.parsingFingerprint64(schema))) + "\n";
    }

    private static String topicsJson() {
        StringBuilder json = new StringBuilder("[\n");
        Topic[] topics = Topic.values();
        for (int i = 0; i < topics.length; i++) {
            Topic t = topics[i];
            json.append(String.format(Locale.ROOT, "  {\"topic\": \"%s\", \"key\": \"conversation id (UTF-8 string)\", "
                            + "\"value\": \"%s\", \"retentionMs\": %d, \"compacted\": %b}%s%n", t.topicName(),
                    EventModel.get().getSchema(t.valueType()).getFullName(), t.retention().toMillis(), t.compacted(),
                    i + 1 < topics.length ? "," : ""));
        }
        return json.append("]\n").toString();
    }
}
