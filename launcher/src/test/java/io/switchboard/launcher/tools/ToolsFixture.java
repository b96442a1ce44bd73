package io.switchboard.launcher.tools;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.events.Channel;
import io.switchboard.events.Session;
import io.switchboard.events.Source;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.launcher.Switchboard;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.outbound.OutboundConfig;
import io.switchboard.outbound.OutboundService;
import io.switchboard.testkit.TestKafka;
import io.switchboard.topics.Topic;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;

/** Runs the tools against TestKafka, produces events as the pipeline writes them, starts the real outbound-sender. */
final class ToolsFixture {
    static final String PHONE = "+15550001111";
    static final String CUSTOMER = "+14155550123";
    static final KafkaClients CLIENTS = TestKafka.clients();
    private static final KafkaProducer<String, byte[]> PRODUCER = new KafkaProducer<>(
            CLIENTS.producerConfig("tools-test"), new StringSerializer(), new ByteArraySerializer());

    private ToolsFixture() {
    }

    record Run(int exitCode, String out, String err) {
    }

    /** {@code switchboard <args> --bootstrap-servers <test cluster>}. */
    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Switchboard.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--bootstrap-servers");
        all.add(TestKafka.bootstrapServers());
        int code = cli.execute(all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    /** Produces {@code value} keyed by {@code key}; {@code timestamp} null means now. */
    static RecordMetadata produce(Topic topic, String key, SpecificRecord value, Instant timestamp) {
        byte[] bytes = CLIENTS.serdes().<SpecificRecord>forTopic(topic).serializer().serialize(topic.topicName(), value);
        try {
            return PRODUCER.send(new ProducerRecord<>(topic.topicName(), null,
                    timestamp == null ? null : timestamp.toEpochMilli(), key, bytes)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Session.Builder smsSession(String conversationId) {
        return Session.newBuilder().setConversationId(conversationId).setChannel(Channel.SMS)
                .setSource(Source.CONVERSATIONS_V1).setStartedAt(Instant.now()).setFrom(CUSTOMER).setTo(PHONE);
    }

    static Session.Builder voiceSession(String conversationId, String callSid, int ingressInstance) {
        return Session.newBuilder().setConversationId(conversationId).setChannel(Channel.VOICE).setSource(Source.RELAY)
                .setStartedAt(Instant.now()).setCallSid(callSid).setRelaySessionId("VX" + callSid)
                .setFrom(CUSTOMER).setTo(PHONE).setIngressInstance(ingressInstance);
    }

    static OutboundService outboundSender(FakeTwilioApi twilio, String group) throws InterruptedException {
        Map<String, String> env = new HashMap<>();
        env.put(OutboundConfig.API_BASE_URL, twilio.baseUrl());
        env.put(OutboundConfig.ACCOUNT_SID, "AC0123456789abcdef0123456789abcdef");
        env.put(OutboundConfig.AUTH_TOKEN, "auth-token");
        env.put(OutboundConfig.API_KEY, "SK0123456789abcdef0123456789abcdef");
        env.put(OutboundConfig.API_SECRET, "api-secret");
        env.put(OutboundConfig.PHONE_NUMBER, PHONE);
        env.put(OutboundConfig.GROUP_ID, group);
        env.put(OutboundConfig.INSTANCE_ID, group);
        env.put(OutboundConfig.RETRY_INITIAL_BACKOFF_MS, "20");
        env.put(OutboundConfig.DEDUP_WINDOW_MS, "3600000");
        env.put(OutboundConfig.COMMIT_INTERVAL_MS, "50");
        OutboundService service = new OutboundService(OutboundConfig.fromEnv(TestKafka.env(env)),
                new SimpleMeterRegistry());
        service.start();
        if (!service.awaitAssignment(Duration.ofSeconds(30))) {
            throw new IllegalStateException("outbound-sender got no partitions");
        }
        return service;
    }

    /** True when {@code group} has committed, on every partition of {@code topic}, at least its current end offset. */
    static boolean caughtUp(String group, Topic topic) {
        try (Admin admin = CLIENTS.admin("tools-test-admin")) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            int partitions = admin.describeTopics(List.of(topic.topicName())).allTopicNames().get()
                    .get(topic.topicName()).partitions().size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic.topicName(), p), OffsetSpec.latest());
            }
            for (var e : admin.listOffsets(latest).all().get().entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                long end = e.getValue().offset();
                if (end > 0 && (c == null || c.offset() < end)) {
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether any record of {@code topic} contains {@code text} (UTF-8; Avro strings are stored as such). */
    static boolean topicContains(String topic, String text) {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        boolean[] found = {false};
        try (TopicReader reader = new TopicReader(CLIENTS, "tools-test-scan")) {
            reader.read(topic, null, null, null, null, record -> {
                if (record.value() != null && indexOf(record.value(), needle) >= 0) {
                    found[0] = true;
                }
            });
        }
        return found[0];
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
