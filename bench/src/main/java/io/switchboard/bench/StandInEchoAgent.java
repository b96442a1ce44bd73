package io.switchboard.bench;

import io.switchboard.config.KafkaSettings;
import io.switchboard.events.AgentEvent;
import io.switchboard.events.Channel;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.agent.MessageReady;
import io.switchboard.ids.EventIds;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.topics.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * STAND-IN, to be deleted when the real echo agent (agent-sdk + examples {@code EchoAgent}) runs in {@code dev}:
 * a bare consumer of {@code tac.agent.v1} that answers every {@code MessageReady} with its text on
 * {@code tac.outbound.v1}, following docs/CONTRACTS.md ("agents → tac.outbound.v1"): voice replies streamed as one
 * {@code Reply} per word, messaging replies whole. Enabled only by {@code --stand-in-echo}; with the real agent
 * running as well every message would get two replies, which the benchmark reports as duplicates.
 */
final class StandInEchoAgent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StandInEchoAgent.class);
    static final String GROUP = "bench-stand-in-echo";

    private final KafkaConsumer<String, AgentEvent> consumer;
    private final KafkaProducer<String, OutboundEvent> producer;
    private final Thread thread;
    private volatile boolean running = true;

    StandInEchoAgent(Map<String, String> env) {
        KafkaClients clients = new KafkaClients(KafkaSettings.fromEnv(env));
        consumer = clients.consumer(GROUP, GROUP, Topic.AGENT);
        producer = clients.producer(GROUP, OutboundEvent.class);
        consumer.subscribe(List.of(Topic.AGENT.topicName()));
        thread = new Thread(this::run, "bench-stand-in-echo");
        thread.setDaemon(true);
        thread.start();
    }

    /** The echo split into tokens as a streaming agent would send them: one per word, spaces kept. */
    static String[] tokens(String text) {
        List<String> tokens = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == ' ') {
                tokens.add(text.substring(start, i));
                start = i;
            }
        }
        return tokens.isEmpty() ? new String[] {""} : tokens.toArray(String[]::new);
    }

    private void run() {
        try {
            while (running) {
                var records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<String, AgentEvent> record : records) {
                    if (record.value() != null && record.value().getPayload() instanceof MessageReady ready) {
                        answer(record.value(), ready);
                    }
                }
                if (!records.isEmpty()) {
                    consumer.commitAsync();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("The stand-in echo agent stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void answer(AgentEvent event, MessageReady ready) {
        boolean voice = event.getSession().getChannel() == Channel.VOICE;
        String[] tokens = voice ? tokens(ready.getText()) : new String[] {ready.getText()};
        String replyId = EventIds.derived(event.getEventId(), "reply");
        for (int i = 0; i < tokens.length; i++) {
            OutboundEvent out = OutboundEvent.newBuilder()
                    .setEventId(EventIds.derived(event.getEventId(), "out", Integer.toString(i)))
                    .setConversationId(event.getConversationId())
                    .setOccurredAt(Instant.now())
                    .setTraceId(event.getTraceId())
                    .setInReplyTo(event.getEventId())
                    .setTurn(ready.getTurn())
                    .setSession(event.getSession())
                    .setPayload(Reply.newBuilder().setReplyId(replyId).setSequence(i).setText(tokens[i])
                            .setLast(i == tokens.length - 1).build())
                    .build();
            producer.send(new ProducerRecord<>(Topic.OUTBOUND.topicName(), event.getConversationId(), out));
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(2));
    }
}
