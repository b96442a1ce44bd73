package io.switchboard.testkit;

import io.switchboard.events.AgentEvent;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.SampleEvents;
import io.switchboard.events.Session;
import io.switchboard.events.agent.AgentInterrupt;
import io.switchboard.events.agent.MessageReady;
import io.switchboard.ids.EventIds;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.topics.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * What the router would write to tac.agent.v1, and what agents wrote to tac.outbound.v1, on the shared test broker.
 * One instance per test class; tests tell their traffic apart by unique conversation ids.
 */
public final class AgentTraffic implements AutoCloseable {
    private final KafkaClients clients = TestKafka.clients();
    private final KafkaProducer<String, AgentEvent> producer = clients.producer("test-router", AgentEvent.class);
    private final ConcurrentLinkedQueue<OutboundEvent> outbound = new ConcurrentLinkedQueue<>();
    private final KafkaConsumer<String, OutboundEvent> reader;
    private final Thread readerThread;
    private volatile boolean closed;

    public AgentTraffic() {
        reader = clients.consumer(null, "test-outbound-reader", Topic.OUTBOUND);
        List<TopicPartition> partitions = reader.partitionsFor(Topic.OUTBOUND.topicName()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        reader.assign(partitions);
        reader.seekToEnd(partitions);
        partitions.forEach(reader::position); // resolve now: only what is written from here on is read
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
        }, "test-outbound-reader");
        readerThread.start();
    }

    /** Makes a new consumer group start at the current end of tac.agent.v1 (the shared topic holds other tests' events). */
    public static void startAtEnd(String groupId) throws Exception {
        try (Admin admin = TestKafka.clients().admin("test-group-admin")) {
            int partitions = admin.describeTopics(List.of(Topic.AGENT.topicName())).allTopicNames().get()
                    .get(Topic.AGENT.topicName()).partitions().size();
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                request.put(new TopicPartition(Topic.AGENT.topicName(), p), OffsetSpec.latest());
            }
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            admin.listOffsets(request).all().get().forEach((tp, info) -> offsets.put(tp, new OffsetAndMetadata(info.offset())));
            admin.alterConsumerGroupOffsets(groupId, offsets).all().get();
        }
    }

    public static Session sms(String conversationId) {
        return Session.newBuilder(SampleEvents.smsSession()).setConversationId(conversationId).build();
    }

    public static Session voice(String conversationId) {
        return Session.newBuilder(SampleEvents.voiceSession()).setConversationId(conversationId)
                .setCallSid(conversationId).build();
    }

    /** Writes a MessageReady the way the router does; returns the agent event. */
    public AgentEvent message(Session session, String text, long turn) {
        String inboundId = EventIds.random();
        MessageReady ready = MessageReady.newBuilder().setMessageId(inboundId).setText(text).setTurn(turn).build();
        return send(session, inboundId, ready);
    }

    public AgentEvent interrupt(Session session, String utterance, long durationMs, long turn) {
        return send(session, EventIds.random(), AgentInterrupt.newBuilder().setUtteranceUntilInterrupt(utterance)
                .setDurationUntilInterruptMs(durationMs).setTurn(turn).build());
    }

    public AgentEvent send(Session session, String inboundId, Object payload) {
        AgentEvent event = sendUnflushed(session, inboundId, payload);
        producer.flush();
        return event;
    }

    /** Writes a MessageReady without waiting for the broker; call {@link #flush()} after a batch. */
    public AgentEvent messageUnflushed(Session session, String text, long turn) {
        String inboundId = EventIds.random();
        return sendUnflushed(session, inboundId, MessageReady.newBuilder().setMessageId(inboundId).setText(text)
                .setTurn(turn).build());
    }

    public void flush() {
        producer.flush();
    }

    /** A MessageReady as the router builds it, not written anywhere (for tests that write it their own way). */
    public static AgentEvent messageEvent(Session session, String text, long turn) {
        String inboundId = EventIds.random();
        return event(session, inboundId, MessageReady.newBuilder().setMessageId(inboundId).setText(text).setTurn(turn)
                .build());
    }

    private static AgentEvent event(Session session, String inboundId, Object payload) {
        return AgentEvent.newBuilder().setEventId(EventIds.derived(inboundId, "agent"))
                .setConversationId(session.getConversationId()).setOccurredAt(Instant.now())
                .setTraceId(EventIds.newTraceId()).setSession(session).setPayload(payload).build();
    }

    private AgentEvent sendUnflushed(Session session, String inboundId, Object payload) {
        AgentEvent event = event(session, inboundId, payload);
        producer.send(new ProducerRecord<>(Topic.AGENT.topicName(), event.getConversationId(), event));
        return event;
    }

    /** Outbound events of one conversation, in topic order. */
    public List<OutboundEvent> of(String conversationId) {
        return outbound.stream().filter(e -> e.getConversationId().equals(conversationId)).toList();
    }

    /** Outbound events of conversations whose id starts with {@code prefix}. */
    public List<OutboundEvent> withPrefix(String prefix) {
        return outbound.stream().filter(e -> e.getConversationId().startsWith(prefix)).toList();
    }

    /** The text of a conversation's replies, joined (streamed tokens joined into one text). */
    public String text(String conversationId) {
        return of(conversationId).stream().filter(e -> e.getPayload() instanceof Reply)
                .map(e -> ((Reply) e.getPayload()).getText()).collect(Collectors.joining());
    }

    public static List<Reply> replies(List<OutboundEvent> events) {
        List<Reply> replies = new ArrayList<>();
        events.forEach(e -> {
            if (e.getPayload() instanceof Reply r) {
                replies.add(r);
            }
        });
        return replies;
    }

    /** Outbound events written in reply to {@code cause} (their {@code inReplyTo}), in topic order. */
    public List<OutboundEvent> outboundFor(AgentEvent cause) {
        return of(cause.getConversationId()).stream().filter(e -> cause.getEventId().equals(e.getInReplyTo())).toList();
    }

    /** The replies to {@code cause}, in topic order. */
    public List<Reply> replies(AgentEvent cause) {
        return replies(outboundFor(cause));
    }

    /** The texts of the replies to {@code cause} (streamed tokens one by one). */
    public List<String> texts(AgentEvent cause) {
        return replies(cause).stream().map(Reply::getText).toList();
    }

    @Override
    public void close() {
        closed = true;
        reader.wakeup();
        producer.close();
        try {
            readerThread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
