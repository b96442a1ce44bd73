package io.switchboard.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.SampleEvents;
import io.switchboard.topics.Topic;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exported contract is enough for a reader that has only the files: no generated class, no Switchboard code. */
class SchemaExportTest {
    @TempDir
    Path dir;

    @Test
    void exportsEveryReleasedSchemaWithItsFingerprintAndTheCurrentOneOfEachTopic() throws Exception {
        SchemaExport.write(dir);

        for (SchemaCatalog.Released released : SchemaCatalog.get().released()) {
            Path file = dir.resolve("released").resolve(released.version())
                    .resolve(released.schema().getFullName() + ".avsc");
            assertThat(fingerprint(file)).as("%s", file).isEqualTo(released.fingerprint());
        }
        for (Topic topic : Topic.values()) {
            Schema current = EventModel.get().getSchema(topic.valueType());
            assertThat(fingerprint(dir.resolve("current").resolve(current.getFullName() + ".avsc")))
                    .isEqualTo(SchemaNormalization.parsingFingerprint64(current));
            assertThat(Files.readString(dir.resolve("topics.json")))
                    .contains("\"topic\": \"" + topic.topicName() + "\"", "\"value\": \"" + current.getFullName() + "\"");
        }
        assertThat(Files.readAllLines(dir.resolve("fingerprints.tsv")))
                .hasSize(1 + SchemaCatalog.get().released().size() + Topic.values().length);
        assertThat(Files.readString(dir.resolve("FRAMING.md"))).contains("C3 01", "/apis/ccompat/v7");
    }

    @Test
    void aReaderWithOnlyTheExportedFilesDecodesEveryRecordTheServicesWrite() throws Exception {
        SchemaExport.write(dir);
        Map<Long, Schema> byFingerprint = new HashMap<>();
        for (String row : Files.readAllLines(dir.resolve("fingerprints.tsv")).subList(1, 1 + SchemaCatalog.get()
                .released().size())) {
            String[] cells = row.split("\t");
            Path file = dir.resolve("released").resolve(cells[0]).resolve(cells[1] + ".avsc");
            byFingerprint.put(Long.parseLong(cells[2]), new Schema.Parser().parse(file.toFile()));
        }
        byFingerprint.putAll(current(dir));

        List<SpecificRecord> records = SampleEvents.all();
        assertThat(records).isNotEmpty();
        for (SpecificRecord record : records) {
            @SuppressWarnings({"unchecked", "rawtypes"})
            byte[] bytes = new EmbeddedAvroSerde(record.getClass()).serialize("t", record);
            // the framing as FRAMING.md writes it: C3 01, the fingerprint little-endian, the body
            assertThat(Arrays.copyOf(bytes, 2)).containsExactly(0xC3, 0x01);
            long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            Schema writer = byFingerprint.get(fingerprint);
            assertThat(writer).as("writer schema of %s", record.getSchema().getFullName()).isNotNull();
            GenericRecord read = new GenericDatumReader<GenericRecord>(writer).read(null,
                    DecoderFactory.get().binaryDecoder(bytes, 10, bytes.length - 10, null));
            assertThat(read.get("eventId").toString()).isEqualTo(record.get(record.getSchema().getField("eventId").pos())
                    .toString());
        }
    }

    private static Map<Long, Schema> current(Path dir) throws Exception {
        Map<Long, Schema> schemas = new HashMap<>();
        try (var files = Files.list(dir.resolve("current"))) {
            for (Path file : files.toList()) {
                Schema schema = new Schema.Parser().parse(file.toFile());
                schemas.put(SchemaNormalization.parsingFingerprint64(schema), schema);
            }
        }
        return schemas;
    }

    private static long fingerprint(Path avsc) throws Exception {
        return SchemaNormalization.parsingFingerprint64(new Schema.Parser().parse(avsc.toFile()));
    }
}
