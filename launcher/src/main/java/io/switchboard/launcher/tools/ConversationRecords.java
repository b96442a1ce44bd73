package io.switchboard.launcher.tools;

import io.switchboard.kafka.KafkaClients;
import io.switchboard.topics.Topic;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The records of conversations on the four conversation topics (inbound, agent, outbound, delivery), decoded. One
 * conversation: its partition of each topic in the window. A range: every partition in the window.
 */
final class ConversationRecords {
    private static final Logger log = LoggerFactory.getLogger(ConversationRecords.class);
    static final List<Topic> TOPICS = List.of(Topic.INBOUND, Topic.AGENT, Topic.OUTBOUND, Topic.DELIVERY);

    /** One decoded record with where it was found. */
    record Decoded(Topic topic, int partition, long offset, Instant timestamp, String key, SpecificRecord value) {
    }

    private ConversationRecords() {
    }

    /**
     * Reads and groups by conversation id (insertion order = first seen). {@code conversationId} null reads the
     * range on every partition.
     */
    static Map<String, List<Decoded>> load(KafkaClients clients, TopicReader reader, String conversationId,
                                           Instant since, Instant until) {
        Map<String, List<Decoded>> byConversation = new LinkedHashMap<>();
        for (Topic topic : TOPICS) {
            Deserializer<SpecificRecord> deserializer = clients.serdes().<SpecificRecord>forTopic(topic).deserializer();
            Consumer<ConsumerRecord<String, byte[]>> sink = record -> {
                SpecificRecord value = decode(deserializer, record);
                if (value != null) {
                    byConversation.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(new Decoded(topic,
                            record.partition(), record.offset(), Instant.ofEpochMilli(record.timestamp()),
                            record.key(), value));
                }
            };
            if (conversationId != null) {
                reader.readKey(topic.topicName(), conversationId, since, until, sink);
            } else {
                reader.read(topic.topicName(), null, since, until, null, sink);
            }
        }
        return byConversation;
    }

    static SpecificRecord decode(Deserializer<SpecificRecord> deserializer, ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return null;
        }
        try {
            return deserializer.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            log.warn("Skipping undecodable record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                    e.toString());
            return null;
        }
    }
}
