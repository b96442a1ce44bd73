package io.switchboard.memory.service;

import io.switchboard.events.Channel;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.Session;
import io.switchboard.events.Source;
import io.switchboard.events.inbound.CallStarted;
import io.switchboard.events.inbound.MessageReceived;
import io.switchboard.events.inbound.Prompt;
import io.switchboard.ids.EventIds;
import io.switchboard.testkit.TestKafka;
import io.switchboard.topics.Topic;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes the inbound and outbound events the local memory learns from, as ingress and agents would. */
final class Events implements AutoCloseable {
    private final KafkaProducer<String, InboundEvent> inbound = TestKafka.clients().producer("test-inbound", InboundEvent.class);
    private final KafkaProducer<String, OutboundEvent> outbound = TestKafka.clients().producer("test-outbound", OutboundEvent.class);
    private long clock = System.currentTimeMillis() - 3_600_000;

    void message(String conversationId, Channel channel, String from, String text) {
        message(conversationId, channel, from, null, text);
    }

    void message(String conversationId, Channel channel, String from, String profileId, String text) {
        inbound(conversationId, MessageReceived.newBuilder().setChannel(channel).setText(text).setAuthorAddress(from)
                .setRecipientAddress("+15550001111").setProfileId(profileId).build());
    }

    void callStarted(String callSid, String from) {
        callStarted(callSid, from, java.util.Map.of());
    }

    /** A call whose TwiML passed {@code customParameters} (e.g. the caller's {@code profileId}). */
    void callStarted(String callSid, String from, java.util.Map<String, String> customParameters) {
        inbound(callSid, CallStarted.newBuilder().setSessionId("VX" + callSid).setCallSid(callSid).setFrom(from)
                .setTo("+15550001111").setIngressInstance(0).setCustomParameters(customParameters).build());
    }

    void prompt(String callSid, String text, boolean last) {
        inbound(callSid, Prompt.newBuilder().setVoicePrompt(text).setLast(last).setTurn(clock).build());
    }

    void reply(String conversationId, Channel channel, String customer, String replyId, int sequence, String text, boolean last) {
        Session session = Session.newBuilder().setConversationId(conversationId).setChannel(channel)
                .setStartedAt(Instant.ofEpochMilli(clock)).setFrom(customer).setTo("+15550001111").build();
        OutboundEvent event = OutboundEvent.newBuilder().setEventId(EventIds.random()).setConversationId(conversationId)
                .setOccurredAt(Instant.ofEpochMilli(clock += 1000)).setTraceId(EventIds.newTraceId()).setSession(session)
                .setPayload(Reply.newBuilder().setReplyId(replyId).setSequence(sequence).setText(text).setLast(last).build())
                .build();
        send(outbound, Topic.OUTBOUND, conversationId, event);
    }

    private void inbound(String conversationId, Object payload) {
        InboundEvent event = InboundEvent.newBuilder().setEventId(EventIds.random()).setConversationId(conversationId)
                .setOccurredAt(Instant.ofEpochMilli(clock += 1000)).setTraceId(EventIds.newTraceId())
                .setSource(Source.UNKNOWN).setPayload(payload).build();
        send(inbound, Topic.INBOUND, conversationId, event);
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
