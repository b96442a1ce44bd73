package io.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.config.InvalidConfigurationException;
import io.switchboard.config.KafkaSettings;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class KafkaClientsTest {

    private static KafkaClients clients(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092"));
        env.putAll(extra);
        return new KafkaClients(KafkaSettings.fromEnv(env));
    }

    @Test
    void producersDoNotCompressSingleRecordBatchesUnlessAsked() {
        assertThat(clients(Map.of()).producerConfig("p")).containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none")
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        assertThat(clients(Map.of(KafkaSettings.COMPRESSION_TYPE, "ZSTD")).producerConfig("p"))
                .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
    }

    @Test
    void anUnknownCompressionIsRefusedByName() {
        assertThatThrownBy(() -> clients(Map.of(KafkaSettings.COMPRESSION_TYPE, "brotli")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining(KafkaSettings.COMPRESSION_TYPE);
    }

    @Test
    void aTransactionalProducerRetriesSoonAfterMeetingTheLastTransactionsMarkers() {
        Map<String, Object> config = clients(Map.of()).transactionalProducerConfig("p", "tx-1");

        assertThat(config).containsEntry(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-1")
                .containsEntry(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 5)
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all");
        assertThat(config).doesNotContainKey(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG); // still backs off to 1 s
    }
}
