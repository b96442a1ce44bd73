package io.switchboard.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.events.AgentEvent;
import io.switchboard.events.Channel;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.Memory;
import io.switchboard.events.agent.MessageReady;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.router.InboundFixtures.Chat;
import io.switchboard.testkit.TestKafka;
import io.switchboard.topics.Topic;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import io.switchboard.serde.EventSerdes;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** memory_mode against a real broker: no head-of-line blocking on a partition, and restarts keep caches and held messages. */
class RouterMemoryServiceTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path tempDir;

    private final KafkaClients clients = TestKafka.clients();
    private final String applicationId = "router-memory-test-" + UUID.randomUUID();
    private final List<RouterService> routers = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    /** Agent events in the order this consumer received them. */
    private final List<AgentEvent> received = new ArrayList<>();
    private FakeMemoryService memory;
    private KafkaProducer<String, InboundEvent> producer;
    private KafkaConsumer<String, AgentEvent> agents;

    @BeforeEach
    void connect() throws Exception {
        memory = new FakeMemoryService();
        producer = clients.producer("router-memory-test-producer", InboundEvent.class);
        agents = clients.consumer(null, "router-memory-test-agents", Topic.AGENT);
        List<TopicPartition> partitions = agents.partitionsFor(Topic.AGENT.topicName()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        agents.assign(partitions);
        agents.seekToEnd(partitions);
        partitions.forEach(agents::position); // resolve the end positions now: only events of this test count
    }

    @AfterEach
    void close() {
        routers.forEach(RouterService::close);
        producer.close();
        agents.close();
        memory.close();
    }

    @Test
    void aSlowMemoryFetchDoesNotDelayOtherConversationsOnTheSamePartition() throws Exception {
        startRouter("state", "always", "90000");
        Chat warmUp = new Chat(Channel.SMS);
        sendToPartitionZero(warmUp.message("warm up"));
        awaitMessages(warmUp.conversationId, 1);

        // The slow fetch takes 500 ms, and is not answered before the other 50 messages have reached the agents (at most
        // 60 s): on this shared machine routing 50 messages may itself take longer than 500 ms, and with head-of-line
        // blocking they could never arrive first.
        Chat slow = new Chat(Channel.SMS);
        memory.delay(slow.conversationId, Duration.ofMillis(500));
        CompletableFuture<Void> othersArrived = new CompletableFuture<>();
        memory.holdUntil(slow.conversationId, othersArrived);
        List<Chat> others = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            others.add(new Chat(Channel.SMS));
        }
        // one batch: the router gets the 51 messages at once, so none of them is late for a reason of its own
        Map<String, Object> config = new HashMap<>(clients.producerConfig("router-memory-test-batch"));
        config.put(ProducerConfig.LINGER_MS_CONFIG, 500);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20);
        try (KafkaProducer<String, InboundEvent> batch = new KafkaProducer<>(config, new StringSerializer(),
                clients.settings().serdes().forType(InboundEvent.class).serializer())) {
            List<InboundEvent> messages = new ArrayList<>();
            messages.add(slow.message("my memory is slow"));
            others.forEach(other -> messages.add(other.message("hello")));
            for (InboundEvent message : messages) {
                batch.send(new ProducerRecord<>(Topic.INBOUND.topicName(), 0, message.getConversationId(), message));
            }
            batch.flush();
        }

        await().atMost(TIMEOUT).until(() -> {
            poll();
            return others.stream().allMatch(other -> eventsOf(other.conversationId).size() == 1);
        });
        assertThat(eventsOf(slow.conversationId)).as("still waiting for its memory").isEmpty();
        assertThat(memory.queriesOf(slow.conversationId)).as("its fetch was sent before the others'").hasSize(1);
        othersArrived.complete(null);

        AgentEvent slowEvent = awaitMessages(slow.conversationId, 1).get(0);
        int slowPosition = received.indexOf(slowEvent);
        for (Chat other : others) {
            List<AgentEvent> theirs = eventsOf(other.conversationId);
            assertThat(theirs).as("%s went through", other.conversationId).hasSize(1);
            assertThat(received.indexOf(theirs.get(0))).as("arrived before the slow conversation's message")
                    .isLessThan(slowPosition);
            assertThat(((MessageReady) theirs.get(0).getPayload()).getMemory()).isNotNull();
        }
        assertThat(((MessageReady) slowEvent.getPayload()).getMemory().getObservations().get(0).getContent())
                .as("the slow fetch still brought its memory").isEqualTo(FakeMemoryService.recalled("my memory is slow"));
    }

    @Test
    void restartKeepsTheOnceCacheAndFetchesAgainForAMessageHeldAtTheRestart() throws Exception {
        RouterService first = startRouter("before", "once");
        Chat cached = new Chat(Channel.WHATSAPP);
        sendToPartitionZero(cached.message("hello"));
        Memory fetched = ((MessageReady) awaitMessages(cached.conversationId, 1).get(0).getPayload()).getMemory();
        assertThat(fetched).isNotNull();

        Chat held = new Chat(Channel.SMS);
        memory.delay(held.conversationId, Duration.ofSeconds(30));
        sendToPartitionZero(held.message("are you there?"));
        await().atMost(TIMEOUT).until(() -> memory.queriesOf(held.conversationId).size() == 1);
        first.close(); // commits: the message is held in the store, its fetch still running
        routers.remove(first);
        memory.delay(held.conversationId, Duration.ZERO);

        startRouter("after", "once"); // an empty state directory: state comes back from the changelogs
        sendToPartitionZero(cached.message("it's me again"));
        List<AgentEvent> messages = awaitMessages(cached.conversationId, 2);
        assertThat(((MessageReady) messages.get(1).getPayload()).getMemory()).as("served from the restored cache")
                .isEqualTo(fetched);
        assertThat(memory.queriesOf(cached.conversationId)).as("no second fetch after the restart").hasSize(1);

        AgentEvent released = awaitMessages(held.conversationId, 1).get(0);
        assertThat(((MessageReady) released.getPayload()).getText()).isEqualTo("are you there?");
        assertThat(((MessageReady) released.getPayload()).getMemory()).as("fetched again after the restart").isNotNull();
        assertThat(memory.queriesOf(held.conversationId)).hasSize(2);
    }

    private RouterService startRouter(String stateDir, String mode) throws Exception {
        return startRouter(stateDir, mode, "5000");
    }

    private RouterService startRouter(String stateDir, String mode, String memoryTimeoutMs) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put(RouterConfig.APPLICATION_ID, applicationId);
        env.put(RouterConfig.STATE_DIR, tempDir.resolve(stateDir).toString());
        env.put(RouterConfig.COMMIT_INTERVAL_MS, "20");
        env.put(RouterConfig.MEMORY_MODE, mode);
        env.put(RouterConfig.MEMORY_URL, memory.url());
        env.put(io.switchboard.config.InternalToken.NAME, FakeMemoryService.TOKEN);
        env.put(RouterConfig.MEMORY_TIMEOUT_MS, memoryTimeoutMs);
        RouterService router = new RouterService(RouterConfig.fromEnv(TestKafka.env(env)), registry);
        routers.add(router);
        router.start();
        return router;
    }

    /** Every event on partition 0: one task, one stream thread, whatever the keys hash to. */
    private void sendToPartitionZero(InboundEvent event) throws Exception {
        producer.send(new ProducerRecord<>(Topic.INBOUND.topicName(), 0, event.getConversationId(), event)).get();
    }

    private List<AgentEvent> awaitMessages(String conversationId, int count) {
        await().atMost(TIMEOUT).until(() -> {
            poll();
            return eventsOf(conversationId).size() >= count;
        });
        return eventsOf(conversationId);
    }

    private void poll() {
        for (ConsumerRecord<String, AgentEvent> record : agents.poll(Duration.ofMillis(50))) {
            received.add(record.value());
        }
    }

    private List<AgentEvent> eventsOf(String conversationId) {
        return received.stream().filter(e -> e.getConversationId().equals(conversationId)).toList();
    }
}
