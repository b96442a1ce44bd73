package io.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.KafkaSettings;
import io.switchboard.events.SampleEvents;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.topics.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Every event type goes through a real broker and comes back equal, in the embedded framing. */
class EventsThroughKafkaTest {

    @Test
    void everyEventTypeRoundTripsWithEmbeddedFraming() throws Exception {
        roundTrip(TestKafka.clients());
    }

    /** Produces every sample to its topic and reads each topic back from the offsets it was written at. */
    static void roundTrip(KafkaClients clients) throws Exception {
        for (Topic topic : Topic.values()) {
            List<SpecificRecord> samples = SampleEvents.all().stream()
                    .filter(e -> topic.valueType().isInstance(e)).toList();
            assertThat(samples).as("samples for %s", topic).isNotEmpty();
            TopicPartition partition = new TopicPartition(topic.topicName(), 0);
            long first = -1;
            try (KafkaProducer<String, SpecificRecord> producer = producerFor(clients, topic)) {
                for (SpecificRecord sample : samples) {
                    long offset = producer.send(new ProducerRecord<>(topic.topicName(), 0, "k", sample)).get().offset();
                    first = first < 0 ? offset : first;
                }
            }
            try (KafkaConsumer<String, SpecificRecord> consumer = clients.consumer(null, "rt-" + topic, topic)) {
                consumer.assign(List.of(partition));
                consumer.seek(partition, first);
                List<SpecificRecord> read = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (read.size() < samples.size() && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, SpecificRecord> record : consumer.poll(Duration.ofMillis(200))) {
                        read.add(record.value());
                    }
                }
                assertThat(read).as(topic.topicName()).containsExactlyElementsOf(samples);
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static KafkaProducer<String, SpecificRecord> producerFor(KafkaClients clients, Topic topic) {
        return (KafkaProducer) clients.producer("rt-" + topic, topic.valueType());
    }

    static KafkaClients clientsWith(Map<String, String> env) {
        return new KafkaClients(KafkaSettings.fromEnv(TestKafka.env(env)));
    }
}
