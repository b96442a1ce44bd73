package io.switchboard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.events.AgentEvent;
import io.switchboard.events.Session;
import io.switchboard.testkit.AgentTraffic;
import io.switchboard.testkit.TestKafka;
import io.switchboard.topics.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Agents read tac.agent.v1 uncommitted by default: a routed event is handled while the router's transaction is still
 * open, and when that transaction aborts and the router replays it, the second copy (same event id) is dropped.
 * Written here by a transactional producer standing in for the router's, on the shared test broker.
 */
class UncommittedReadTest extends AgentTrafficTest {
    private final List<KafkaProducer<?, ?>> producers = new ArrayList<>();
    private final Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @AfterEach
    void closeProducers() {
        producers.forEach(KafkaProducer::close);
    }

    private void startAgent(Map<String, String> env) throws Exception {
        start(SwitchboardAgent.builder(TestKafka.env(env)).onMessageReady((message, session, memory) -> {
            handled.computeIfAbsent(message.text(), t -> new AtomicInteger()).incrementAndGet();
            return "You said: " + message.text();
        }), meters);
    }

    /** A transactional producer like the router's Streams producer. */
    private KafkaProducer<String, AgentEvent> router() {
        Map<String, Object> config = TestKafka.clients().producerConfig("test-router-tx");
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, prefix + "router-" + producers.size());
        KafkaProducer<String, AgentEvent> producer = new KafkaProducer<>(config, new StringSerializer(),
                TestKafka.clients().serdes().forType(AgentEvent.class).serializer());
        producers.add(producer);
        producer.initTransactions();
        return producer;
    }

    private static ProducerRecord<String, AgentEvent> record(AgentEvent event) {
        return new ProducerRecord<>(Topic.AGENT.topicName(), event.getConversationId(), event);
    }

    @Test
    void anEventIsHandledBeforeTheRouterCommitsAndItsReplayedCopyIsDropped() throws Exception {
        startAgent(Map.of());
        Session sms = AgentTraffic.sms(prefix + "sms");
        AgentEvent first = AgentTraffic.messageEvent(sms, "hello", 0);
        KafkaProducer<String, AgentEvent> router = router();

        router.beginTransaction();
        router.send(record(first));
        router.flush();
        await().atMost(Duration.ofSeconds(20)).until(() -> traffic.of(sms.getConversationId()).size() == 1);

        // the router dies before committing: its transaction aborts and the replay writes the same event again
        router.abortTransaction();
        AgentEvent next = AgentTraffic.messageEvent(sms, "and then", 0);
        router.beginTransaction();
        router.send(record(first));
        router.send(record(next));
        router.commitTransaction();

        await().atMost(Duration.ofSeconds(20)).until(() -> traffic.of(sms.getConversationId()).size() == 2);
        assertThat(traffic.text(sms.getConversationId())).isEqualTo("You said: helloYou said: and then");
        assertThat(handled.get("hello")).hasValue(1);
        assertThat(meters.get("switchboard.agent.copies").counter().count()).isEqualTo(1.0);
    }

    @Test
    void readCommittedAgentsWaitForTheCommitAndNeverSeeAbortedEvents() throws Exception {
        startAgent(Map.of(AgentConfig.ISOLATION_LEVEL, "read_committed"));
        Session sms = AgentTraffic.sms(prefix + "committed");
        KafkaProducer<String, AgentEvent> router = router();

        router.beginTransaction();
        router.send(record(AgentTraffic.messageEvent(sms, "aborted", 0)));
        router.flush();
        router.abortTransaction();
        router.beginTransaction();
        router.send(record(AgentTraffic.messageEvent(sms, "committed", 0)));
        router.flush();
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> traffic.of(sms.getConversationId()).isEmpty());
        router.commitTransaction();

        await().atMost(Duration.ofSeconds(20)).until(() -> traffic.of(sms.getConversationId()).size() == 1);
        assertThat(traffic.text(sms.getConversationId())).isEqualTo("You said: committed");
        assertThat(handled).containsOnlyKeys("committed");
    }
}
