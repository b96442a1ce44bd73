package io.switchboard.router;

import io.switchboard.deadletter.DeadLetters;
import io.switchboard.events.DeadLetter;
import io.switchboard.ids.EventIds;
import io.switchboard.topics.Topic;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record the router cannot decode, or whose processing throws, goes to {@code tac.dlq.v1} as a {@link DeadLetter}
 * (keyed by the original key, with the original bytes) and processing goes on. The dead letter is written in the
 * same transaction as the input offset, so it is neither lost nor doubled.
 *
 * <p>Kafka Streams instantiates handlers by class name; the dead-letter serializer and the metrics arrive through the
 * Streams config under {@link #SERIALIZER_CONFIG} and {@link #METRICS_CONFIG}.
 */
public final class DeadLetterHandler implements DeserializationExceptionHandler, ProcessingExceptionHandler {
    static final String SERIALIZER_CONFIG = "switchboard.router.dead.letter.serializer";
    static final String METRICS_CONFIG = "switchboard.router.metrics";
    static final String SERVICE = "channel-router";
    private static final Logger log = LoggerFactory.getLogger(DeadLetterHandler.class);

    private Serializer<DeadLetter> serializer;
    private RouterMetrics metrics;

    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, ?> configs) {
        this.serializer = (Serializer<DeadLetter>) configs.get(SERIALIZER_CONFIG);
        this.metrics = (RouterMetrics) configs.get(METRICS_CONFIG);
        if (serializer == null) {
            throw new IllegalStateException(SERIALIZER_CONFIG + " missing from the Streams config");
        }
    }

    @Override
    public DeserializationExceptionHandler.Response handleError(ErrorHandlerContext context,
            ConsumerRecord<byte[], byte[]> record, Exception exception) {
        log.warn("Undecodable record {}-{}@{} sent to {}: {}", record.topic(), record.partition(), record.offset(),
                Topic.DEAD_LETTER.topicName(), exception.toString());
        count(RouterMetrics.STAGE_DESERIALIZATION);
        return DeserializationExceptionHandler.Response.resume(List.of(
                deadLetter(record.topic(), record.partition(), record.offset(), record.key(), record.value(), exception)));
    }

    @Override
    public ProcessingExceptionHandler.Response handleError(ErrorHandlerContext context, Record<?, ?> record,
            Exception exception) {
        log.error("Processing {}-{}@{} failed in {}; sent to {}", context.topic(), context.partition(), context.offset(),
                context.processorNodeId(), Topic.DEAD_LETTER.topicName(), exception);
        count(RouterMetrics.STAGE_PROCESSING);
        return ProcessingExceptionHandler.Response.resume(List.of(deadLetter(context.topic(), context.partition(),
                context.offset(), context.sourceRawKey(), context.sourceRawValue(), exception)));
    }

    private ProducerRecord<byte[], byte[]> deadLetter(String topic, int partition, long offset, byte[] key, byte[] value,
            Exception exception) {
        String conversationId = key == null ? null : new String(key, StandardCharsets.UTF_8);
        DeadLetter letter = DeadLetters.of(
                EventIds.derived(SERVICE, String.valueOf(topic), Integer.toString(partition), Long.toString(offset)),
                SERVICE, new DeadLetters.Origin(topic, partition, offset, key, value), conversationId, exception);
        String dlq = Topic.DEAD_LETTER.topicName();
        return new ProducerRecord<>(dlq, null, key, serializer.serialize(dlq, letter));
    }

    private void count(String stage) {
        if (metrics != null) {
            metrics.deadLetter(stage);
        }
    }
}
