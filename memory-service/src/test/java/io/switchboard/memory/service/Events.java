package io.switchboard.memory.service;

import io.switchboard.events.Channel;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.OutboundEvent;
import io.switchboard.testkit.TestKafka;
import io.switchboard.topics.Topic;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes the events of {@link MemoryEvents} to the test broker, as ingress and agents would. */
final class Events implements AutoCloseable {
    private final KafkaProducer<String, InboundEvent> inbound = TestKafka.clients().producer("test-inbound", InboundEvent.class);
    private final KafkaProducer<String, OutboundEvent> outbound = TestKafka.clients().producer("test-outbound", OutboundEvent.class);
    private final MemoryEvents events = new MemoryEvents();

    void message(String conversationId, Channel channel, String from, String text) {
        message(conversationId, channel, from, null, text);
    }

    void message(String conversationId, Channel channel, String from, String profileId, String text) {
        send(inbound, Topic.INBOUND, conversationId, events.message(conversationId, channel, from, profileId, text));
    }

    void callStarted(String callSid, String from) {
        callStarted(callSid, from, Map.of());
    }

    void callStarted(String callSid, String from, Map<String, String> customParameters) {
        send(inbound, Topic.INBOUND, callSid, events.callStarted(callSid, from, customParameters));
    }

    void prompt(String callSid, String text, boolean last) {
        send(inbound, Topic.INBOUND, callSid, events.prompt(callSid, text, last));
    }

    void reply(String conversationId, Channel channel, String customer, String replyId, int sequence, String text, boolean last) {
        send(outbound, Topic.OUTBOUND, conversationId,
                events.reply(conversationId, channel, customer, null, replyId, sequence, text, last));
    }

    private static <V> void send(KafkaProducer<String, V> producer, Topic topic, String key, V value) {
        try {
            producer.send(new ProducerRecord<>(topic.topicName(), key, value)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        inbound.close();
        outbound.close();
    }
}
