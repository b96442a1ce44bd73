package io.switchboard.launcher.tools;

import io.switchboard.events.AgentEvent;
import io.switchboard.events.Channel;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.agent.MessageReady;
import io.switchboard.ids.EventIds;
import io.switchboard.kafka.KafkaClients;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A minimal agent on plain Kafka clients, as the agent SDK does it: a consumer group on an agent topic, for each
 * MessageReady a reply with the contract's deterministic ids ({@code derived(agentEventId, "out", n)}), voice replies
 * streamed as two tokens; offsets committed after the replies are acknowledged. {@code failing} makes it swallow
 * messages (an outage that lost replies).
 */
final class TestAgent implements AutoCloseable {
    final AtomicBoolean failing = new AtomicBoolean();
    final AtomicInteger answered = new AtomicInteger();
    final AtomicInteger dropped = new AtomicInteger();
    private final KafkaConsumer<String, AgentEvent> consumer;
    private final KafkaProducer<String, OutboundEvent> producer;
    private final String outboundTopic;
    private final Function<String, String> answer;
    private final Predicate<String> keys;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean assigned;

    TestAgent(KafkaClients clients, String group, String agentTopic, String outboundTopic,
              Function<String, String> answer, Predicate<String> keys) {
        Map<String, Object> config = clients.consumerConfig(group, group);
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500);
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                clients.serdes().forType(AgentEvent.class).deserializer());
        this.producer = new KafkaProducer<>(clients.producerConfig(group), new StringSerializer(),
                clients.serdes().forType(OutboundEvent.class).serializer());
        this.outboundTopic = outboundTopic;
        this.answer = answer;
        this.keys = keys;
        consumer.subscribe(List.of(agentTopic));
        this.thread = new Thread(this::loop, "test-agent-" + group);
        thread.start();
    }

    boolean assigned() {
        return assigned;
    }

    private void loop() {
        try {
            while (running) {
                var records = consumer.poll(Duration.ofMillis(100));
                assigned = !consumer.assignment().isEmpty();
                int replied = 0;
                for (ConsumerRecord<String, AgentEvent> record : records) {
                    if (record.key() == null || !keys.test(record.key())
                            || !(record.value().getPayload() instanceof MessageReady ready)) {
                        continue;
                    }
                    if (failing.get()) {
                        dropped.incrementAndGet();
                        continue;
                    }
                    reply(record.value(), ready);
                    replied++;
                }
                if (!records.isEmpty()) {
                    producer.flush();
                    consumer.commitSync();
                    answered.addAndGet(replied);
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
            producer.close();
        }
    }

    private void reply(AgentEvent event, MessageReady ready) {
        String text = answer.apply(ready.getText());
        String replyId = EventIds.derived(event.getEventId(), "reply");
        List<String> tokens = event.getSession().getChannel() == Channel.VOICE
                ? List.of(text.substring(0, text.length() / 2), text.substring(text.length() / 2)) : List.of(text);
        for (int n = 0; n < tokens.size(); n++) {
            OutboundEvent out = OutboundEvent.newBuilder()
                    .setEventId(EventIds.derived(event.getEventId(), "out", Integer.toString(n)))
                    .setConversationId(event.getConversationId()).setOccurredAt(Instant.now())
                    .setTraceId(event.getTraceId()).setInReplyTo(event.getEventId()).setTurn(ready.getTurn())
                    .setSession(event.getSession())
                    .setPayload(Reply.newBuilder().setReplyId(replyId).setSequence(n).setText(tokens.get(n))
                            .setLast(n == tokens.size() - 1).build())
                    .build();
            producer.send(new ProducerRecord<>(outboundTopic, event.getConversationId(), out));
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
