package io.switchboard.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.KafkaSettings;
import io.switchboard.dev.DevStack;
import io.switchboard.events.DeadLetter;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.launcher.Services;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.testkit.RelayClient;
import io.switchboard.topics.Topic;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Poison records (bytes that are not Avro; the embedded framing with a schema fingerprint nobody knows) on every
 * topic a service reads, in the whole {@code dev} pipeline: the owner dead-letters them to tac.dlq.v1 with the error
 * and its origin (router, agent, outbound-sender) or skips them with a log (ingress's voice egress reader: a voice
 * frame is useless later, and the dead letter is the writer's job), and the next valid record of the same
 * conversation is still answered.
 */
class PoisonRecordTest {
    static final String TOKEN = "poison-auth-token";
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static DevStack stack;
    static Vertx vertx;
    static int port;
    static KafkaProducer<String, byte[]> raw;
    static KafkaConsumer<String, DeadLetter> dlqConsumer;
    static final List<DeadLetter> letters = new CopyOnWriteArrayList<>();
    static Thread dlqReader;
    static volatile boolean running = true;

    @BeforeAll
    static void start() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        stack = DevStack.start(new DevStack.Settings(Files.createTempDirectory("switchboard-poison"), 0, port),
                Map.of("TWILIO_AUTH_TOKEN", TOKEN, "TWILIO_PHONE_NUMBER", TwilioWebhooks.AGENT_NUMBER,
                        "SWITCHBOARD_TOPIC_PARTITIONS", "2", "PORT", Integer.toString(port),
                        "SWITCHBOARD_OPERATOR_PORT", "0"),
                Services.all());
        vertx = Vertx.vertx();
        KafkaClients clients = new KafkaClients(KafkaSettings.fromEnv(stack.env()));
        raw = new KafkaProducer<>(clients.producerConfig("poison-writer"), new StringSerializer(), new ByteArraySerializer());
        dlqConsumer = clients.consumer(null, "dlq-reader", Topic.DEAD_LETTER);
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : dlqConsumer.partitionsFor(Topic.DEAD_LETTER.topicName())) {
            partitions.add(new TopicPartition(info.topic(), info.partition()));
        }
        dlqConsumer.assign(partitions);
        dlqConsumer.seekToBeginning(partitions);
        dlqReader = new Thread(() -> {
            while (running) {
                for (ConsumerRecord<String, DeadLetter> r : dlqConsumer.poll(Duration.ofMillis(100))) {
                    letters.add(r.value());
                }
            }
            dlqConsumer.close();
        }, "dlq-reader");
        dlqReader.start();
    }

    @AfterAll
    static void stop() throws Exception {
        running = false;
        dlqReader.join(5_000);
        raw.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
        stack.close();
        System.out.printf("%nPoison records: %d dead letters written, every next valid record answered%n", letters.size());
    }

    /** Not Avro at all. */
    static byte[] undecodable() {
        return "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8);
    }

    /** Avro single-object framing (C3 01) with a schema fingerprint no release has. */
    static byte[] unknownFingerprint() {
        return new byte[] {(byte) 0xC3, 0x01, (byte) 0xDE, (byte) 0xAD, (byte) 0xBE, (byte) 0xEF, 1, 2, 3, 4, 2, 'x'};
    }

    static RecordMetadata poison(Topic topic, String key, byte[] value) throws Exception {
        return raw.send(new ProducerRecord<>(topic.topicName(), key, value)).get();
    }

    static DeadLetter awaitLetter(RecordMetadata origin) {
        Awaitility.await().atMost(TIMEOUT).until(() -> letterFor(origin) != null);
        return letterFor(origin);
    }

    static DeadLetter letterFor(RecordMetadata origin) {
        return letters.stream().filter(l -> l.getOriginTopic().toString().equals(origin.topic())
                && l.getOriginPartition() == origin.partition() && l.getOriginOffset() == origin.offset())
                .findFirst().orElse(null);
    }

    static FakeTwilioApi twilio() {
        return stack.localTwilio().orElseThrow();
    }

    /** A valid SMS for {@code conversation} is answered once by the echo agent through the fake Twilio API. */
    static void assertMessagingStillAnswered(String conversation) {
        try (TwilioWebhooks webhooks = new TwilioWebhooks(vertx, port, TOKEN)) {
            assertThat(webhooks.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", conversation,
                    "comms_" + UUID.randomUUID(), TwilioWebhooks.CUSTOMER, "still there?")).status()).isEqualTo(200);
        }
        twilio().awaitRequests(r -> r.path().contains("/" + conversation + "/"), 1, TIMEOUT);
    }

    @Test
    void poisonOnTheInboundTopicIsDeadLetteredByTheRouterAndTheConversationGoesOn() throws Exception {
        String conversation = "conv_poison_in_" + UUID.randomUUID();
        RecordMetadata a = poison(Topic.INBOUND, conversation, undecodable());
        RecordMetadata b = poison(Topic.INBOUND, conversation, unknownFingerprint());
        assertMessagingStillAnswered(conversation);
        for (RecordMetadata origin : List.of(a, b)) {
            DeadLetter letter = awaitLetter(origin);
            assertThat(letter.getService().toString()).containsIgnoringCase("router");
            assertThat(letter.getErrorClass().toString()).isNotBlank();
            assertThat(letter.getOriginalValue()).isNotNull();
        }
    }

    @Test
    void poisonOnTheAgentTopicIsDeadLetteredByTheAgentAndTheConversationGoesOn() throws Exception {
        String conversation = "conv_poison_agent_" + UUID.randomUUID();
        RecordMetadata a = poison(Topic.AGENT, conversation, undecodable());
        RecordMetadata b = poison(Topic.AGENT, conversation, unknownFingerprint());
        assertMessagingStillAnswered(conversation);
        for (RecordMetadata origin : List.of(a, b)) {
            DeadLetter letter = awaitLetter(origin);
            assertThat(letter.getService().toString()).startsWith("agent:");
            assertThat(letter.getErrorClass().toString()).isNotBlank();
        }
    }

    @Test
    void poisonOnTheOutboundTopicIsDeadLetteredByTheSenderAndTheConversationGoesOn() throws Exception {
        String conversation = "conv_poison_out_" + UUID.randomUUID();
        RecordMetadata a = poison(Topic.OUTBOUND, conversation, undecodable());
        RecordMetadata b = poison(Topic.OUTBOUND, conversation, unknownFingerprint());
        assertMessagingStillAnswered(conversation);
        for (RecordMetadata origin : List.of(a, b)) {
            DeadLetter letter = awaitLetter(origin);
            assertThat(letter.getErrorClass().toString()).isNotBlank();
            assertThat(letter.getErrorMessage()).isNotNull();
        }
    }

    @Test
    void poisonOnTheVoiceEgressTopicIsSkippedByIngressAndTheCallIsStillAnswered() throws Exception {
        String callSid = "CA" + UUID.randomUUID().toString().replace("-", "");
        try (RelayClient call = RelayClient.connect(vertx, port, TOKEN)) {
            call.setup(callSid);
            for (int partition = 0; partition < 2; partition++) {
                raw.send(new ProducerRecord<>(Topic.VOICE_EGRESS.topicName(), partition, callSid, undecodable())).get();
                raw.send(new ProducerRecord<>(Topic.VOICE_EGRESS.topicName(), partition, callSid, unknownFingerprint())).get();
            }
            call.prompt("hello");
            call.awaitFrame(f -> "text".equals(f.getString("type")) && f.getBoolean("last", false));
            assertThat(call.spokenText()).isEqualTo("You said: hello");
            assertThat(call.isClosed()).isFalse();
        }
    }
}
