package io.switchboard.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.topics.Topic;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Schemas evolve compatibly: every released writer schema, and every committed fixture, is readable today. */
class SchemaCompatibilityTest {

    @Test
    void currentSchemaOfEveryTopicIsReleased() {
        for (Topic topic : Topic.values()) {
            long current = SchemaNormalization.parsingFingerprint64(SpecificData.get().getSchema(topic.valueType()));
            assertThat(SchemaCatalog.get().released())
                    .as("%s changed without a release: run SchemaReleaseTool with the next version", topic.valueType().getSimpleName())
                    .anySatisfy(r -> assertThat(r.fingerprint()).isEqualTo(current));
        }
    }

    @Test
    void everyReleasedSchemaCanBeReadWithTheCurrentReader() {
        for (SchemaCatalog.Released released : SchemaCatalog.get().released()) {
            Schema reader = readerFor(released.schema().getFullName());
            assertThat(SchemaCompatibility.checkReaderWriterCompatibility(reader, released.schema()).getType())
                    .as("%s %s", released.version(), released.schema().getFullName())
                    .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyCommittedFixtureDecodesWithTheCurrentClasses() throws IOException, URISyntaxException {
        Path fixtures = Path.of(getClass().getResource("/fixtures").toURI());
        List<Path> files;
        try (Stream<Path> walk = Files.walk(fixtures)) {
            files = walk.filter(p -> p.toString().endsWith(".bin")).sorted().toList();
        }
        assertThat(files).as("fixtures of v1").hasSizeGreaterThanOrEqualTo(27);
        return files.stream().map(file -> DynamicTest.dynamicTest(fixtures.relativize(file).toString(), () -> {
            String name = file.getFileName().toString();
            String typeName = name.substring(0, name.indexOf('.'));
            Topic topic = Stream.of(Topic.values()).filter(t -> t.valueType().getSimpleName().equals(typeName))
                    .findFirst().orElseThrow();
            SpecificRecord decoded = new EmbeddedAvroSerde<>(topic.valueType()).deserialize(topic.topicName(), Files.readAllBytes(file));
            assertThat(decoded).isInstanceOf(topic.valueType());
            assertThat(io.switchboard.events.SampleEvents.nameOf(decoded)).isEqualTo(name.substring(0, name.length() - 4));
        }));
    }

    private static Schema readerFor(String fullName) {
        return Stream.of(Topic.values()).map(t -> SpecificData.get().getSchema(t.valueType()))
                .filter(s -> s.getFullName().equals(fullName)).findFirst().orElseThrow();
    }
}
