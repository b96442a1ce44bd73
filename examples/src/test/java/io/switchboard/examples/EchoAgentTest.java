package io.switchboard.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.agent.SwitchboardAgent;
import io.switchboard.events.AgentEvent;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.SampleEvents;
import io.switchboard.events.Session;
import io.switchboard.events.agent.MessageReady;
import io.switchboard.ids.EventIds;
import io.switchboard.testkit.TestKafka;
import io.switchboard.topics.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class EchoAgentTest {

    @Test
    void echoesAVoicePromptWordByWordAndAnSmsAsOneMessage() throws Exception {
        String id = UUID.randomUUID().toString();
        try (KafkaConsumer<String, OutboundEvent> reader = TestKafka.clients().consumer(null, "echo-test", Topic.OUTBOUND);
             KafkaProducer<String, AgentEvent> router = TestKafka.clients().producer("echo-router", AgentEvent.class);
             SwitchboardAgent agent = EchoAgent.create(SwitchboardAgent.builder(TestKafka.env(Map.of()))
                     .groupId("echo-" + id).meterRegistry(new SimpleMeterRegistry()))) {
            List<TopicPartition> parts = reader.partitionsFor(Topic.OUTBOUND.topicName()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            reader.assign(parts);
            reader.seekToEnd(parts);
            parts.forEach(reader::position);
            agent.start();

            Session voice = Session.newBuilder(SampleEvents.voiceSession()).setConversationId("voice-" + id).build();
            Session sms = Session.newBuilder(SampleEvents.smsSession()).setConversationId("sms-" + id).build();
            for (Session session : List.of(voice, sms)) {
                String inbound = EventIds.random();
                AgentEvent event = AgentEvent.newBuilder().setEventId(EventIds.derived(inbound, "agent"))
                        .setConversationId(session.getConversationId()).setOccurredAt(Instant.now())
                        .setTraceId(EventIds.newTraceId()).setSession(session)
                        .setPayload(MessageReady.newBuilder().setMessageId(inbound).setText("hello there").setTurn(2).build())
                        .build();
                router.send(new ProducerRecord<>(Topic.AGENT.topicName(), event.getConversationId(), event));
            }
            router.flush();

            List<OutboundEvent> out = new CopyOnWriteArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                reader.poll(Duration.ofMillis(100)).forEach(r -> out.add(r.value()));
                return out.stream().anyMatch(e -> e.getConversationId().equals(sms.getConversationId()))
                        && out.stream().anyMatch(e -> e.getConversationId().equals(voice.getConversationId())
                        && ((Reply) e.getPayload()).getLast());
            });
            List<Reply> voiceTokens = out.stream().filter(e -> e.getConversationId().equals(voice.getConversationId()))
                    .map(e -> (Reply) e.getPayload()).toList();
            assertThat(voiceTokens).extracting(Reply::getText).containsExactly("You", " said:", " hello", " there", "");
            assertThat(voiceTokens.get(4).getLast()).isTrue();
            List<Reply> smsReplies = out.stream().filter(e -> e.getConversationId().equals(sms.getConversationId()))
                    .map(e -> (Reply) e.getPayload()).toList();
            assertThat(smsReplies).extracting(Reply::getText).containsExactly("You said: hello there");
        }
    }
}
