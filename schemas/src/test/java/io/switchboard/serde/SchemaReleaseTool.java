package io.switchboard.serde;

import io.switchboard.events.SampleEvents;
import io.switchboard.topics.Topic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Releases the current schemas as version {@code args[0]} (e.g. {@code v2}): writes each topic type's schema to
 * {@code src/main/resources/.../released/vN/}, appends it to the index, and writes binary fixtures of every sample
 * event to {@code src/test/resources/fixtures/vN/} for the compatibility test. Run from the schemas folder:
 * {@code mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.switchboard.serde.SchemaReleaseTool -Dexec.args=v2}.
 */
public final class SchemaReleaseTool {
    public static void main(String[] args) throws IOException {
        String version = args[0];
        Path released = Path.of("src/main/resources" + SchemaCatalog.ROOT);
        Files.createDirectories(released.resolve(version));
        List<String> index = new ArrayList<>(Files.exists(released.resolve("index.txt"))
                ? Files.readAllLines(released.resolve("index.txt")) : List.of("# every released writer schema; never edit or remove a line"));
        for (Topic topic : Topic.values()) {
            Schema schema = SpecificData.get().getSchema(topic.valueType());
            String entry = version + "/" + schema.getFullName() + ".avsc";
            Files.writeString(released.resolve(entry), schema.toString(true) + "\n");
            if (!index.contains(entry)) {
                index.add(entry);
            }
        }
        Files.write(released.resolve("index.txt"), index);

        Path fixtures = Path.of("src/test/resources/fixtures/" + version);
        Files.createDirectories(fixtures);
        for (SpecificRecord event : SampleEvents.all()) {
            Files.write(fixtures.resolve(SampleEvents.nameOf(event) + ".bin"), encode(event));
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> byte[] encode(T event) {
        try (EmbeddedAvroSerde<T> serde = new EmbeddedAvroSerde<>((Class<T>) event.getClass())) {
            return serde.serialize("fixture", event);
        }
    }
}
