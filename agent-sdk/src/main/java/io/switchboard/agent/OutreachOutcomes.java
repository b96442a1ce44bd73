package io.switchboard.agent;

import io.switchboard.events.DeliveryEvent;
import io.switchboard.events.DeliveryStatus;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.topics.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * The outcome of an agent-initiated conversation, as outbound-sender records it on tac.delivery.v1: it writes each
 * delivery to the partition number its outbound record had, which the request's key decides. So the agent notes that
 * partition's end before it sends the request and reads on from there until the request's delivery arrives; its
 * {@code twilioId} starts with the conversation id. Blocking; used off the caller's thread.
 */
final class OutreachOutcomes {
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final AgentConfig config;

    OutreachOutcomes(AgentConfig config) {
        this.config = config;
    }

    /** Where to read from: the delivery partition of {@code key} and its end now. */
    record Mark(TopicPartition partition, long offset) {
    }

    Mark mark(String key) {
        try (KafkaConsumer<String, DeliveryEvent> consumer = consumer()) {
            int partitions = consumer.partitionsFor(config.outputTopic()).size();
            TopicPartition partition = new TopicPartition(Topic.DELIVERY.topicName(),
                    Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions);
            return new Mark(partition, consumer.endOffsets(List.of(partition)).get(partition));
        }
    }

    /** The conversation id of request {@code requestId}, or an exception saying why it was not started. */
    String conversationId(Mark mark, String requestId) {
        try (KafkaConsumer<String, DeliveryEvent> consumer = consumer()) {
            consumer.assign(List.of(mark.partition()));
            consumer.seek(mark.partition(), mark.offset());
            long deadline = System.currentTimeMillis() + TIMEOUT.toMillis();
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, DeliveryEvent> record : consumer.poll(Duration.ofMillis(200))) {
                    DeliveryEvent delivery = record.value();
                    if (delivery == null || !requestId.equals(delivery.getOutboundEventId())) {
                        continue;
                    }
                    if (delivery.getStatus() != DeliveryStatus.SENT || delivery.getTwilioId() == null) {
                        throw new IllegalStateException("The conversation was not started: "
                                + delivery.getErrorMessage() + (delivery.getErrorCode() == null ? ""
                                : " (Twilio error " + delivery.getErrorCode() + ")"));
                    }
                    return delivery.getTwilioId().split(",")[0];
                }
            }
        }
        throw new IllegalStateException("No outcome of conversation request " + requestId + " within " + TIMEOUT
                + ": is outbound-sender running?");
    }

    private KafkaConsumer<String, DeliveryEvent> consumer() {
        KafkaClients clients = new KafkaClients(config.kafka());
        Map<String, Object> properties = clients.consumerConfig(null, config.groupId() + "-outreach");
        return new KafkaConsumer<>(properties, new StringDeserializer(),
                clients.serdes().forType(DeliveryEvent.class).deserializer());
    }
}
