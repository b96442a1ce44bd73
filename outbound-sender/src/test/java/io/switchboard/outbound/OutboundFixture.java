package io.switchboard.outbound;

import io.switchboard.events.Channel;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.Session;
import io.switchboard.events.Source;
import io.switchboard.ids.EventIds;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.testkit.TestKafka;
import io.switchboard.topics.Topic;
import io.switchboard.twilio.TwilioSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/** Events in the shapes agents write them, a producer to tac.outbound.v1 and readers of what the sender wrote. */
final class OutboundFixture {
    static final String PHONE = "+15550001111";
    static final String WHATSAPP = "whatsapp:+15550002222";
    static final String RCS = "rcs:switchboard_agent";
    static final String CUSTOMER = "+14155550123";
    static final int OUTBOUND_PARTITIONS = TestKafka.settings().topicPartitions();

    private static final KafkaClients CLIENTS = TestKafka.clients();
    private static final KafkaProducer<String, OutboundEvent> PRODUCER =
            CLIENTS.producer("outbound-test", OutboundEvent.class);

    private OutboundFixture() {
    }

    static Map<String, String> env(FakeTwilioApi twilio, String group) {
        Map<String, String> env = new HashMap<>();
        env.put(OutboundConfig.API_BASE_URL, twilio.baseUrl());
        env.put(OutboundConfig.ACCOUNT_SID, "AC0123456789abcdef0123456789abcdef");
        env.put(OutboundConfig.AUTH_TOKEN, "auth-token");
        env.put(OutboundConfig.API_KEY, "SK0123456789abcdef0123456789abcdef");
        env.put(OutboundConfig.API_SECRET, "api-secret");
        env.put(OutboundConfig.PHONE_NUMBER, PHONE);
        env.put(TwilioSettings.WHATSAPP_NUMBER, WHATSAPP);
        env.put(TwilioSettings.RCS_SENDER_ID, RCS);
        env.put(OutboundConfig.GROUP_ID, group);
        env.put(OutboundConfig.INSTANCE_ID, group);
        env.put(OutboundConfig.RETRY_INITIAL_BACKOFF_MS, "20");
        env.put(OutboundConfig.DEDUP_WINDOW_MS, "3600000");
        return TestKafka.env(env);
    }

    static String conversationId(String prefix) {
        return prefix + "-" + EventIds.random();
    }

    /** A conversation id whose records land on the given outbound partition. */
    static String conversationOnPartition(String prefix, int partition) {
        while (true) {
            String id = conversationId(prefix);
            if (Utils.toPositive(Utils.murmur2(id.getBytes())) % OUTBOUND_PARTITIONS == partition) {
                return id;
            }
        }
    }

    static int partitionOf(String conversationId) {
        return Utils.toPositive(Utils.murmur2(conversationId.getBytes())) % OUTBOUND_PARTITIONS;
    }

    static Session.Builder messagingSession(String conversationId, Channel channel, Source source) {
        String customer = switch (channel) {
            case WHATSAPP -> "whatsapp:" + CUSTOMER;
            case RCS -> "rcs:" + CUSTOMER;
            case CHAT -> "chat-visitor-42";
            default -> CUSTOMER;
        };
        String agent = switch (channel) {
            case WHATSAPP -> WHATSAPP;
            case RCS -> RCS;
            case CHAT -> "ai-assistant";
            default -> PHONE;
        };
        return Session.newBuilder().setConversationId(conversationId).setChannel(channel).setSource(source)
                .setStartedAt(Instant.now()).setFrom(customer).setTo(agent);
    }

    static Session.Builder voiceSession(String callSid, int ingressInstance) {
        return Session.newBuilder().setConversationId(callSid).setChannel(Channel.VOICE).setSource(Source.RELAY)
                .setStartedAt(Instant.now()).setCallSid(callSid).setRelaySessionId("VX" + callSid)
                .setFrom(CUSTOMER).setTo(PHONE).setIngressInstance(ingressInstance);
    }

    static OutboundEvent reply(Session session, String eventId, String text, long turn) {
        return OutboundEvent.newBuilder().setEventId(eventId).setConversationId(session.getConversationId())
                .setOccurredAt(Instant.now()).setTraceId(EventIds.newTraceId()).setInReplyTo("agent-" + eventId)
                .setTurn(turn).setSession(session)
                .setPayload(Reply.newBuilder().setReplyId("reply-" + eventId).setText(text).build()).build();
    }

    static void produce(OutboundEvent event) {
        try {
            PRODUCER.send(new ProducerRecord<>(Topic.OUTBOUND.topicName(), event.getConversationId(), event)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads {@code topic} from the beginning until {@code n} records match; returns the matching ones. */
    static <T extends SpecificRecord> List<ConsumerRecord<String, T>> await(Topic topic,
            Predicate<ConsumerRecord<String, T>> filter, int n, Duration timeout) {
        try (KafkaConsumer<String, T> consumer = CLIENTS.consumer(null, "outbound-test-reader", topic)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.topicName()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<String, T>> matching = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (matching.size() < n && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, T> record : consumer.poll(Duration.ofMillis(100))) {
                    if (filter.test(record)) {
                        matching.add(record);
                    }
                }
            }
            return matching;
        }
    }
}
