package io.switchboard.launcher.tools;

import io.switchboard.events.OutboundEvent;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.launcher.tools.ReplayCommand.Replies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Follows the shadow outbound topic from where it ended before the copy until every expected turn is answered. */
final class ShadowReplies {
    private ShadowReplies() {
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static Map<String, Replies> await(KafkaClients clients, String topic, Map<Integer, Long> from,
                                      Collection<String> expected, Duration wait) {
        Map<String, Replies> replies = new HashMap<>();
        Set<String> open = new HashSet<>(expected);
        Deserializer<SpecificRecord> deserializer =
                (Deserializer<SpecificRecord>) (Deserializer) clients.serdes().forType(OutboundEvent.class).deserializer();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                clients.consumerConfig(null, "switchboard-replay-shadow"), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            from.keySet().forEach(p -> tps.add(new TopicPartition(topic, p)));
            consumer.assign(tps);
            tps.forEach(tp -> consumer.seek(tp, from.get(tp.partition())));
            long deadline = System.nanoTime() + wait.toNanos();
            while (!open.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    OutboundEvent event = (OutboundEvent) ConversationRecords.decode(deserializer, record);
                    if (event == null || event.getInReplyTo() == null || !expected.contains(event.getInReplyTo())) {
                        continue;
                    }
                    Replies.add(replies, event, record.timestamp());
                    if (replies.get(event.getInReplyTo()) != null && replies.get(event.getInReplyTo()).complete()) {
                        open.remove(event.getInReplyTo());
                    }
                }
            }
        }
        return replies;
    }
}
