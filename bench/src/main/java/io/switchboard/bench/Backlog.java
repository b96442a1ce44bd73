package io.switchboard.bench;

import io.switchboard.config.KafkaSettings;
import io.switchboard.kafka.KafkaClients;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** Where records wait: the lag of every consumer group on the stack's broker, per group and topic. */
final class Backlog {
    private Backlog() {
    }

    /** The lag of every consumer group, per "group on topic", at one moment; empty when unreadable. */
    record Lags(Map<String, Long> byGroupAndTopic, String error) {
        /** Records waiting, summed over every group (one event counts once per stage it still has to pass). */
        long total() {
            return byGroupAndTopic.values().stream().mapToLong(Long::longValue).sum();
        }

        /** "group on topic: lag" for every group with a lag, or a note why it could not be read. */
        String describe() {
            if (error != null) {
                return "unknown (" + error + ")";
            }
            return byGroupAndTopic.entrySet().stream().filter(e -> e.getValue() > 0)
                    .map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining(", "));
        }
    }

    /** "group/topic: lag" for every group with a lag, or a note why it could not be read. */
    static String describe(Map<String, String> env) {
        return read(env).describe();
    }

    static Lags read(Map<String, String> env) {
        try (Admin admin = new KafkaClients(KafkaSettings.fromEnv(env)).admin("bench-backlog")) {
            Map<String, Long> lags = new TreeMap<>();
            for (ConsumerGroupListing group : admin.listConsumerGroups().all().get(10, TimeUnit.SECONDS)) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group.groupId())
                        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                if (committed.isEmpty()) {
                    continue;
                }
                ListOffsetsResult ends = admin.listOffsets(committed.keySet().stream()
                        .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())));
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end = ends.all().get(10, TimeUnit.SECONDS);
                committed.forEach((tp, offset) -> {
                    if (offset != null) {
                        long lag = Math.max(0, end.get(tp).offset() - offset.offset());
                        lags.merge(group.groupId() + " on " + tp.topic(), lag, Long::sum);
                    }
                });
            }
            return new Lags(lags, null);
        } catch (Exception e) {
            return new Lags(Map.of(), e.toString());
        }
    }
}
