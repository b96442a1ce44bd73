package io.switchboard.examples.llm;

import io.switchboard.events.AgentEvent;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.Session;
import io.switchboard.events.agent.AgentInterrupt;
import io.switchboard.events.agent.MessageReady;
import io.switchboard.ids.EventIds;
import io.switchboard.testkit.TestKafka;
import io.switchboard.topics.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * The router's side of an agent on the real broker: writes agent events to tac.agent.v1 and collects what the agent
 * writes to tac.outbound.v1 from now on.
 */
final class AgentTraffic implements AutoCloseable {
    private final KafkaProducer<String, AgentEvent> router;
    private final KafkaConsumer<String, OutboundEvent> reader;
    private final Thread readerThread;
    private final ConcurrentLinkedQueue<OutboundEvent> outbound = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    AgentTraffic(String name) {
        reader = TestKafka.clients().consumer(null, name, Topic.OUTBOUND);
        List<TopicPartition> parts = reader.partitionsFor(Topic.OUTBOUND.topicName()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        reader.assign(parts);
        reader.seekToEnd(parts);
        parts.forEach(reader::position);
        readerThread = new Thread(() -> {
            try {
                while (!closed) {
                    reader.poll(Duration.ofMillis(50)).forEach(r -> outbound.add(r.value()));
                }
            } catch (WakeupException e) {
                // closing
            } finally {
                reader.close();
            }
        }, name + "-reader");
        readerThread.start();
        router = TestKafka.clients().producer(name + "-router", AgentEvent.class);
    }

    AgentEvent message(Session session, String text, long turn) {
        String inbound = EventIds.random();
        return send(session, inbound, MessageReady.newBuilder().setMessageId(inbound).setText(text).setTurn(turn).build());
    }

    AgentEvent interrupt(Session session, String utterance, long turn) {
        return send(session, EventIds.random(), AgentInterrupt.newBuilder().setUtteranceUntilInterrupt(utterance)
                .setDurationUntilInterruptMs(300).setTurn(turn).build());
    }

    private AgentEvent send(Session session, String inboundId, Object payload) {
        AgentEvent event = AgentEvent.newBuilder().setEventId(EventIds.derived(inboundId, "agent"))
                .setConversationId(session.getConversationId()).setOccurredAt(Instant.now())
                .setTraceId(EventIds.newTraceId()).setSession(session).setPayload(payload).build();
        router.send(new ProducerRecord<>(Topic.AGENT.topicName(), event.getConversationId(), event));
        router.flush();
        return event;
    }

    /** Every outbound event written in reply to {@code cause}, in order. */
    List<OutboundEvent> outboundFor(AgentEvent cause) {
        return outbound.stream().filter(e -> e.getConversationId().equals(cause.getConversationId()))
                .filter(e -> cause.getEventId().equals(e.getInReplyTo())).toList();
    }

    List<Reply> replies(AgentEvent cause) {
        return outboundFor(cause).stream().filter(e -> e.getPayload() instanceof Reply).map(e -> (Reply) e.getPayload()).toList();
    }

    List<String> texts(AgentEvent cause) {
        return replies(cause).stream().map(Reply::getText).toList();
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        reader.wakeup();
        readerThread.join(5_000);
        router.close();
    }
}
