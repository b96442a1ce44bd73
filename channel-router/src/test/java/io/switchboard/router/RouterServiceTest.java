package io.switchboard.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.events.AgentEvent;
import io.switchboard.events.Channel;
import io.switchboard.events.DeadLetter;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.agent.CallConnected;
import io.switchboard.events.agent.ConversationEnded;
import io.switchboard.events.agent.MessageReady;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.router.InboundFixtures.Call;
import io.switchboard.router.InboundFixtures.Chat;
import io.switchboard.testkit.TestKafka;
import io.switchboard.topics.Topic;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The router as a service against a real broker: flows end to end, dead letters under exactly-once, restarts. */
class RouterServiceTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path tempDir;

    private final KafkaClients clients = TestKafka.clients();
    private final String applicationId = "router-test-" + UUID.randomUUID();
    private final List<RouterService> routers = new ArrayList<>();
    private KafkaProducer<String, InboundEvent> producer;
    private KafkaConsumer<String, AgentEvent> agents;
    private final List<AgentEvent> received = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void connect() {
        producer = clients.producer("router-test-producer", InboundEvent.class);
        agents = clients.consumer(null, "router-test-agents", Topic.AGENT);
        assignAll(agents, Topic.AGENT);
    }

    @AfterEach
    void close() {
        routers.forEach(RouterService::close);
        producer.close();
        agents.close();
    }

    @Test
    void voiceAndMessagingFlowThroughTheRouterAndPoisonGoesToTheDeadLetterTopic() throws Exception {
        startRouter("state-1");
        Call call = Call.relayOnly();
        Chat chat = new Chat(Channel.SMS);
        send(call.setup());
        send(call.prompt("hello", true));
        sendRaw(call.callSid, "not an event".getBytes(StandardCharsets.UTF_8));
        send(chat.message("Hi, where is my order?"));
        send(call.actionCallback("{\"reason\":\"done\"}"));
        send(call.socketClosed());

        List<AgentEvent> voice = awaitEvents(call.callSid, 3);
        assertThat(voice.get(0).getPayload()).isInstanceOf(CallConnected.class);
        assertThat(((MessageReady) voice.get(1).getPayload()).getText()).isEqualTo("hello");
        assertThat(voice.get(1).getSession().getIngressInstance()).isEqualTo(1);
        assertThat(((ConversationEnded) voice.get(2).getPayload()).getHandoffData()).isEqualTo("{\"reason\":\"done\"}");
        List<AgentEvent> sms = awaitEvents(chat.conversationId, 1);
        assertThat(((MessageReady) sms.get(0).getPayload()).getText()).isEqualTo("Hi, where is my order?");
        assertThat(sms.get(0).getSession().getChannel()).isEqualTo(Channel.SMS);

        try (KafkaConsumer<String, DeadLetter> dlq = clients.consumer(null, "router-test-dlq", Topic.DEAD_LETTER)) {
            assignAll(dlq, Topic.DEAD_LETTER);
            List<DeadLetter> letters = new ArrayList<>();
            await().atMost(TIMEOUT).until(() -> {
                dlq.poll(Duration.ofMillis(200)).forEach(r -> letters.add(r.value()));
                return letters.stream().anyMatch(l -> call.callSid.equals(l.getConversationId()));
            });
            DeadLetter letter = letters.stream().filter(l -> call.callSid.equals(l.getConversationId())).findFirst().orElseThrow();
            assertThat(letter.getService()).isEqualTo("channel-router");
            assertThat(StandardCharsets.UTF_8.decode(letter.getOriginalValue()).toString()).isEqualTo("not an event");
        }
        pollBriefly();
        assertThat(eventsOf(call.callSid)).as("the second end signal changes nothing").hasSize(3);
        assertThat(registry.find(RouterMetrics.EVENTS_OUT).tag("type", "MessageReady").counter().count()).isGreaterThanOrEqualTo(2);
        assertThat(registry.find(RouterMetrics.DEAD_LETTERS).tag("stage", "deserialization").counter().count()).isGreaterThanOrEqualTo(1);
        assertThat(registry.getMeters()).as("Kafka Streams metrics are bound")
                .anySatisfy(meter -> assertThat(meter.getId().getName()).startsWith("kafka.stream"));
    }

    @Test
    void restartKeepsSessionsAndDropsDuplicatesSeenBeforeIt() throws Exception {
        RouterService first = startRouter("state-before");
        Call call = Call.relayOnly();
        Chat chat = new Chat(Channel.WHATSAPP);
        InboundEvent hello = chat.message("hello");
        send(call.setup());
        send(hello);
        AgentEvent before = awaitEvents(chat.conversationId, 1).get(0);

        first.close();
        routers.remove(first);
        startRouter("state-after"); // an empty state directory: state comes back from the changelogs

        send(hello); // a retried webhook after the restart
        send(chat.message("where is my order?"));
        send(call.prompt("hello after the restart", true));

        AgentEvent voice = awaitEvents(call.callSid, 2).get(1);
        assertThat(((MessageReady) voice.getPayload()).getText()).isEqualTo("hello after the restart");
        assertThat(voice.getSession().getRelaySessionId()).as("the voice session survived").isEqualTo(call.relaySessionId);
        assertThat(voice.getSession().getIngressInstance()).isEqualTo(1);
        List<AgentEvent> messages = awaitEvents(chat.conversationId, 2);
        assertThat(messages).extracting(e -> ((MessageReady) e.getPayload()).getText())
                .as("the duplicate was dropped").containsExactly("hello", "where is my order?");
        assertThat(messages.get(1).getSession().getStartedAt()).isEqualTo(before.getSession().getStartedAt());
        pollBriefly();
        assertThat(eventsOf(chat.conversationId)).hasSize(2);
    }

    private RouterService startRouter(String stateDir) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put(RouterConfig.APPLICATION_ID, applicationId);
        env.put(RouterConfig.STATE_DIR, tempDir.resolve(stateDir).toString());
        env.put(RouterConfig.COMMIT_INTERVAL_MS, "20");
        RouterService router = new RouterService(RouterConfig.fromEnv(TestKafka.env(env)), registry);
        routers.add(router);
        router.start();
        return router;
    }

    /** No consumer group (no rebalance to wait for): every partition from the beginning, filtered by conversation. */
    private static void assignAll(KafkaConsumer<?, ?> consumer, Topic topic) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic.topicName()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    private void send(InboundEvent event) throws Exception {
        producer.send(new ProducerRecord<>(Topic.INBOUND.topicName(), event.getConversationId(), event)).get();
    }

    private void sendRaw(String key, byte[] value) throws Exception {
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(clients.producerConfig("router-test-raw"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(Topic.INBOUND.topicName(), key.getBytes(StandardCharsets.UTF_8), value)).get();
        }
    }

    private List<AgentEvent> awaitEvents(String conversationId, int count) {
        await().atMost(TIMEOUT).until(() -> {
            poll();
            return eventsOf(conversationId).size() >= count;
        });
        return eventsOf(conversationId);
    }

    /** Gives a wrongly produced extra event the time to show up (the router commits every 20 ms). */
    private void pollBriefly() {
        long until = System.currentTimeMillis() + 1_000;
        while (System.currentTimeMillis() < until) {
            poll();
        }
    }

    private void poll() {
        for (ConsumerRecord<String, AgentEvent> record : agents.poll(Duration.ofMillis(100))) {
            received.add(record.value());
        }
    }

    private List<AgentEvent> eventsOf(String conversationId) {
        Predicate<AgentEvent> of = e -> e.getConversationId().equals(conversationId);
        return received.stream().filter(of).toList();
    }
}
