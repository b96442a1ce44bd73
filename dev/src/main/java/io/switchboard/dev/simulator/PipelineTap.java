package io.switchboard.dev.simulator;

import io.switchboard.config.KafkaSettings;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.serde.EventSerdes;
import io.switchboard.topics.Topic;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline made visible: reads every partition of the conversation topics from their end (assigned, no group:
 * it commits nothing and takes nothing from the services' groups) and hands each event, keyed by conversation id,
 * to the simulator as {@code {"type":"event","topic","eventType","conversationId","at","detail"}}.
 */
final class PipelineTap implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PipelineTap.class);
    static final List<Topic> TOPICS = List.of(Topic.INBOUND, Topic.AGENT, Topic.OUTBOUND, Topic.VOICE_EGRESS,
            Topic.DELIVERY, Topic.INTELLIGENCE, Topic.DEAD_LETTER);
    private static final int DETAIL_LIMIT = 600;

    private final KafkaClients clients;
    private final Map<Topic, Deserializer<SpecificRecord>> decoders = new EnumMap<>(Topic.class);
    private final BiConsumer<String, JsonObject> sink;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean running;
    private Thread thread;

    PipelineTap(KafkaSettings settings, BiConsumer<String, JsonObject> sink) {
        this.clients = new KafkaClients(settings);
        this.sink = sink;
        EventSerdes serdes = settings.serdes();
        for (Topic topic : TOPICS) {
            decoders.put(topic, serdes.<SpecificRecord>forTopic(topic).deserializer());
        }
    }

    /** Assigns the partitions at their current end (so the page sees only what happens from now on), then polls. */
    synchronized void start() {
        if (running) {
            return;
        }
        // a page a person watches: a tenth of a second behind is live enough, and spares a fetch per record per topic
        Map<String, Object> config = clients.consumerConfig(null, "switchboard-simulator-tap");
        config.putAll(KafkaClients.BATCHED_FETCH);
        KafkaConsumer<String, byte[]> created = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (Topic topic : TOPICS) {
            created.partitionsFor(topic.topicName(), Duration.ofSeconds(10))
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        created.assign(partitions);
        created.seekToEnd(partitions);
        partitions.forEach(p -> created.position(p, Duration.ofSeconds(10)));
        consumer = created;
        running = true;
        thread = new Thread(this::run, "simulator-tap");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        KafkaConsumer<String, byte[]> polling = consumer;
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : polling.poll(Duration.ofMillis(500))) {
                    if (record.key() != null) {
                        sink.accept(record.key(), describe(record));
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.warn("The simulator's pipeline view stopped: {}", e.toString());
        } finally {
            polling.close(Duration.ofSeconds(2));
        }
    }

    JsonObject describe(ConsumerRecord<String, byte[]> record) {
        Topic topic = TOPICS.stream().filter(t -> t.topicName().equals(record.topic())).findFirst().orElseThrow();
        JsonObject event = new JsonObject().put("type", "event").put("topic", record.topic())
                .put("conversationId", record.key()).put("at", record.timestamp())
                .put("partition", record.partition()).put("offset", record.offset());
        try {
            SpecificRecord value = decoders.get(topic).deserialize(record.topic(), record.headers(), record.value());
            event.put("eventType", eventType(value));
            String detail = String.valueOf(payload(value));
            event.put("detail", detail.length() > DETAIL_LIMIT ? detail.substring(0, DETAIL_LIMIT) + "…" : detail);
        } catch (RuntimeException e) {
            event.put("eventType", "undecodable").put("detail", e.toString());
        }
        return event;
    }

    /** The payload's type for union-of-events records (MessageReceived, Reply…), else the record's own. */
    static String eventType(SpecificRecord value) {
        Object payload = payload(value);
        if (payload instanceof GenericContainer container && payload != value) {
            return container.getSchema().getName();
        }
        Schema.Field status = value.getSchema().getField("status");
        String name = value.getSchema().getName();
        return status == null ? name : name + " " + value.get(status.pos());
    }

    private static Object payload(SpecificRecord value) {
        Schema.Field payload = value.getSchema().getField("payload");
        return payload == null ? value : value.get(payload.pos());
    }

    @Override
    public synchronized void close() {
        if (!running) {
            return;
        }
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
