package io.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/** The cluster test (reliability's ClusterFaultTest) checks the same on topics `switchboard topics` created. */
class TopicReplicationSettingsTest {

    private static NewTopic topic(String replication) {
        KafkaSettings settings = KafkaSettings.fromEnv(Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092",
                KafkaSettings.TOPIC_REPLICATION, replication));
        return settings.newTopic("t", 4, Map.of(TopicConfig.RETENTION_MS_CONFIG, "1000"));
    }

    @Test
    void threeReplicasRequireTwoInSyncSoAnAcknowledgedWriteSurvivesABroker() {
        NewTopic topic = topic("3");
        assertThat(topic.replicationFactor()).isEqualTo((short) 3);
        assertThat(topic.numPartitions()).isEqualTo(4);
        assertThat(topic.configs()).containsEntry(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2")
                .containsEntry(TopicConfig.RETENTION_MS_CONFIG, "1000");
    }

    @Test
    void fewerReplicasRequireOneSoASingleBrokerOrAPairKeepsAcceptingWrites() {
        assertThat(topic("1").configs()).containsEntry(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "1");
        assertThat(topic("2").configs()).containsEntry(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "1");
    }
}
