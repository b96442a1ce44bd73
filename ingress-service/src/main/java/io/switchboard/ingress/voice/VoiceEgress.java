package io.switchboard.ingress.voice;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.switchboard.events.VoiceFrame;
import io.switchboard.ingress.IngressMetrics;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.topics.Topic;
import io.switchboard.tracing.Messaging;
import io.switchboard.tracing.Tracing;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads this instance's partition of tac.voice.egress.v1 (assigned, no group, from the end: frames are only useful
 * live) and hands each frame to the socket holding its call, on that socket's context, in partition order.
 */
public final class VoiceEgress implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VoiceEgress.class);

    private final KafkaConsumer<String, VoiceFrame> consumer;
    private final TopicPartition partition;
    private final RelaySessions sessions;
    private final IngressMetrics metrics;
    private final Tracing tracing;
    private Thread thread;
    private volatile boolean running = true;
    /** What became of the frame: written, stale, duplicate, no-socket (IngressMetrics' egress outcomes). */
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("switchboard.egress.outcome");

    public VoiceEgress(KafkaClients clients, int instanceId, RelaySessions sessions, IngressMetrics metrics) {
        this(clients, instanceId, sessions, metrics, Tracing.OFF);
    }

    /** With a CONSUMER span per frame, {@code process tac.voice.egress.v1}, ended once the frame is on the socket. */
    public VoiceEgress(KafkaClients clients, int instanceId, RelaySessions sessions, IngressMetrics metrics,
            Tracing tracing) {
        this.tracing = tracing;
        this.consumer = clients.consumer(null, "ingress-" + instanceId + "-egress", Topic.VOICE_EGRESS);
        this.partition = new TopicPartition(Topic.VOICE_EGRESS.topicName(), instanceId);
        this.sessions = sessions;
        this.metrics = metrics;
    }

    /** Positions at the partition's end before returning, so frames produced after start are all seen. */
    public void start() {
        consumer.assign(List.of(partition));
        consumer.seekToEnd(List.of(partition));
        long position = consumer.position(partition, Duration.ofSeconds(30));
        log.info("Voice egress reads {} from offset {}", partition, position);
        thread = new Thread(this::run, "voice-egress-" + partition.partition());
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                try {
                    for (ConsumerRecord<String, VoiceFrame> record : consumer.poll(Duration.ofMillis(500))) {
                        deliver(record);
                    }
                } catch (RecordDeserializationException e) {
                    log.error("Undecodable voice frame at {} offset {} skipped: {}", e.topicPartition(), e.offset(),
                            e.getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                log.error("Voice egress woken up unexpectedly", e);
            }
        } catch (RuntimeException e) {
            log.error("Voice egress stopped: replies can no longer reach this instance's calls", e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void deliver(ConsumerRecord<String, VoiceFrame> record) {
        VoiceFrame frame = record.value();
        if (frame == null) {
            return;
        }
        Span span = tracing.process(record, null);
        RelaySession session = sessions.get(frame.getCallSid().toString());
        if (session == null) {
            span.setAttribute(OUTCOME, IngressMetrics.EGRESS_NO_SOCKET);
            span.end();
            metrics.egressFrame(IngressMetrics.EGRESS_NO_SOCKET);
            log.debug("No relay socket for call {} on this instance; frame {} dropped", frame.getCallSid(), frame.getEventId());
            return;
        }
        session.context().runOnContext(v -> {
            String outcome = switch (session.write(frame)) {
                case WRITTEN -> IngressMetrics.EGRESS_WRITTEN;
                case STALE -> IngressMetrics.EGRESS_STALE;
                case DUPLICATE -> IngressMetrics.EGRESS_DUPLICATE;
                case CLOSED -> IngressMetrics.EGRESS_NO_SOCKET;
            };
            metrics.egressFrame(outcome);
            span.setAttribute(OUTCOME, outcome);
            span.end();
        });
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        if (thread != null) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            consumer.close(Duration.ofSeconds(2));
        }
    }
}
