package io.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.config.InvalidConfigurationException;
import io.switchboard.config.KafkaSettings;
import io.switchboard.events.SampleEvents;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.serde.EventSerdes;
import io.switchboard.topics.Topic;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code registry} framing against a real Apicurio Registry server ({@link TestSchemaRegistry}) and the shared
 * broker: what lands on the topics is Confluent wire framing whose ids the registry resolves to the writer schema, and
 * what comes back equals what was sent.
 */
class RegistryFramingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startRegistryWhileKafkaStarts() {
        TestSchemaRegistry.startInBackground();
        TestKafka.shared();
    }

    @Test
    void everyEventTypeRoundTripsInConfluentFramingWithIdsTheRegistryKnows() throws Exception {
        KafkaClients clients = TestSchemaRegistry.clients();
        assertThat(clients.settings().framing()).isEqualTo(io.switchboard.serde.Framing.REGISTRY);
        for (Topic topic : Topic.values()) {
            List<SpecificRecord> samples = samplesOf(topic);
            TopicPartition partition = new TopicPartition(topic.topicName(), 0);
            long first = produce(clients, topic.topicName(), topic.valueType(), samples);

            List<byte[]> values = readRaw(topic.topicName(), partition, first, samples.size());
            Deserializer<SpecificRecord> deserializer = clients.serdes().<SpecificRecord>forTopic(topic).deserializer();
            List<SpecificRecord> decoded = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) {
                byte[] value = values.get(i);
                SpecificRecord sample = samples.get(i);
                assertThat(value[0]).as("magic byte of %s", topic).isEqualTo((byte) 0);
                int id = ByteBuffer.wrap(value, 1, 4).getInt();
                assertThat(schemaById(id)).as("schema %d in the registry, for %s", id, topic)
                        .isEqualTo(sample.getSchema());
                decoded.add(deserializer.deserialize(topic.topicName(), value));
            }
            assertThat(decoded).as(topic.topicName()).containsExactlyElementsOf(samples);

            // and through a plain consumer configured by KafkaClients, as services read them
            try (KafkaConsumer<String, SpecificRecord> consumer = clients.consumer(null, "reg-" + topic, topic)) {
                consumer.assign(List.of(partition));
                consumer.seek(partition, first);
                List<SpecificRecord> read = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (read.size() < samples.size() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> read.add(r.value()));
                }
                assertThat(read).as(topic.topicName()).containsExactlyElementsOf(samples);
            }
        }
    }

    @Test
    void eachTopicsValueSchemaIsRegisteredUnderItsConfluentSubject() throws Exception {
        KafkaClients clients = TestSchemaRegistry.clients();
        Topic topic = Topic.DELIVERY;
        produce(clients, topic.topicName(), topic.valueType(), samplesOf(topic));

        JsonNode latest = get(TestSchemaRegistry.confluentApiUrl() + "/subjects/" + topic.topicName()
                + "-value/versions/latest");
        assertThat(new Schema.Parser().parse(latest.get("schema").asText()))
                .isEqualTo(samplesOf(topic).get(0).getSchema());
    }

    @Test
    void registrySerdeFromEventSerdesWorksInAKafkaStreamsTopology() throws Exception {
        KafkaSettings settings = TestSchemaRegistry.settings();
        KafkaClients clients = new KafkaClients(settings);
        String run = UUID.randomUUID().toString().substring(0, 8);
        String in = "test.registry-streams-in." + run;
        String out = "test.registry-streams-out." + run;
        try (Admin admin = clients.admin("reg-streams-admin")) {
            TestKafka.createTopics(admin, List.of(new NewTopic(in, 1, (short) 1), new NewTopic(out, 1, (short) 1)));
        }
        List<SpecificRecord> samples = samplesOf(Topic.INBOUND);
        produce(clients, in, Topic.INBOUND.valueType(), samples);

        Serde<SpecificRecord> serde = settings.serdes().forTopic(Topic.INBOUND);
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(in, Consumed.with(Serdes.String(), serde)).to(out, Produced.with(Serdes.String(), serde));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "registry-serde-" + run);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, "target/streams-" + run);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
            streams.start();
            List<byte[]> values = readRaw(out, new TopicPartition(out, 0), 0, samples.size());
            List<SpecificRecord> decoded = new ArrayList<>();
            for (byte[] value : values) {
                assertThat(value[0]).isEqualTo((byte) 0);
                assertThat(schemaById(ByteBuffer.wrap(value, 1, 4).getInt())).isEqualTo(samples.get(0).getSchema());
                decoded.add(serde.deserializer().deserialize(out, value));
            }
            assertThat(decoded).containsExactlyElementsOf(samples);
            streams.close(Duration.ofSeconds(10));
        }
    }

    @Test
    void aBareRegistryUrlReachesTheCoreApi() throws Exception {
        Map<String, String> env = TestSchemaRegistry.env(Map.of(KafkaSettings.SCHEMA_REGISTRY_URL,
                TestSchemaRegistry.shared().baseUrl() + "/"));
        Serde<SpecificRecord> serde = KafkaSettings.fromEnv(env).serdes().forTopic(Topic.OUTBOUND);
        SpecificRecord sample = samplesOf(Topic.OUTBOUND).get(0);

        byte[] value = serde.serializer().serialize(Topic.OUTBOUND.topicName(), sample);
        assertThat(schemaById(ByteBuffer.wrap(value, 1, 4).getInt())).isEqualTo(sample.getSchema());
        assertThat(serde.deserializer().deserialize(Topic.OUTBOUND.topicName(), value)).isEqualTo(sample);
    }

    @Test
    void registryFramingWithoutARegistryUrlIsAConfigurationErrorNamingTheVariable() {
        Map<String, String> env = Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092",
                KafkaSettings.SERDE, "registry");
        assertThatThrownBy(() -> KafkaSettings.fromEnv(env))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("SCHEMA_REGISTRY_URL")
                .hasMessageContaining("SWITCHBOARD_SERDE=registry");
    }

    @Test
    void aConfluentApiUrlIsRejectedWithTheCoreApiToUseInstead() {
        KafkaSettings settings = KafkaSettings.fromEnv(Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092",
                KafkaSettings.SERDE, "registry",
                KafkaSettings.SCHEMA_REGISTRY_URL, "http://registry:8080/apis/ccompat/v7"));
        assertThatThrownBy(() -> settings.serdes().forTopic(Topic.INBOUND))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http://registry:8080/apis/registry/v3");
    }

    @Test
    void aRegistryServerThatCannotStartFailsWithTheReasonAndItsOutput(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("quarkus-run.jar"), "not a jar");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");

        long started = System.nanoTime();
        assertThatThrownBy(() -> TestSchemaRegistry.start(home, java))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited with code 1 before it was ready")
                .hasMessageContaining("Invalid or corrupt jarfile");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void embeddedFramingIsStillTheDefault() {
        assertThat(TestKafka.settings().framing()).isEqualTo(io.switchboard.serde.Framing.EMBEDDED);
    }

    private static List<SpecificRecord> samplesOf(Topic topic) {
        List<SpecificRecord> samples = SampleEvents.all().stream().filter(e -> topic.valueType().isInstance(e))
                .toList();
        assertThat(samples).as("samples for %s", topic).isNotEmpty();
        return samples;
    }

    /** Writes the samples to partition 0 of {@code topic}; returns the offset of the first. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static long produce(KafkaClients clients, String topic, Class<? extends SpecificRecord> type,
                                List<SpecificRecord> samples) throws Exception {
        long first = -1;
        try (KafkaProducer<String, SpecificRecord> producer = (KafkaProducer) clients.producer("reg-" + topic, type)) {
            for (SpecificRecord sample : samples) {
                long offset = producer.send(new ProducerRecord<>(topic, 0, "k", sample)).get().offset();
                first = first < 0 ? offset : first;
            }
        }
        return first;
    }

    private static List<byte[]> readRaw(String topic, TopicPartition partition, long from, int count) {
        Map<String, Object> config = TestKafka.clients().consumerConfig(null, "raw-" + topic);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seek(partition, from);
            List<byte[]> values = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
            assertThat(values).as("records read from %s", topic).hasSize(count);
            return values;
        }
    }

    /** The schema the registry's Confluent-compatible API gives for a wire id. */
    private static Schema schemaById(int id) throws Exception {
        return new Schema.Parser().parse(get(TestSchemaRegistry.confluentApiUrl() + "/schemas/ids/" + id)
                .get("schema").asText());
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s: %s", url, response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
