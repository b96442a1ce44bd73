package io.switchboard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.events.IntelligenceEvent;
import io.switchboard.events.ci.IntelligenceConfiguration;
import io.switchboard.events.ci.IntelligenceParticipant;
import io.switchboard.events.ci.OperatorResult;
import io.switchboard.testkit.TestKafka;
import io.switchboard.topics.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code onIntelligence}: Conversation Intelligence results from tac.ci.v1, per conversation in order, once. */
class IntelligenceCallbackTest {
    static KafkaProducer<String, IntelligenceEvent> producer;
    final String prefix = "ci-" + UUID.randomUUID().toString().substring(0, 8) + "-";

    @BeforeAll
    static void start() {
        producer = TestKafka.clients().producer("ci-callback-test", IntelligenceEvent.class);
    }

    @AfterAll
    static void stop() {
        producer.close();
    }

    static IntelligenceEvent event(String conversationId, String resultId) {
        return IntelligenceEvent.newBuilder().setEventId("ci_" + conversationId + "_" + resultId)
                .setConversationId(conversationId).setOccurredAt(Instant.now()).setTraceId("t").setAccountId("AC0")
                .setMemoryStoreId("mem_store_01")
                .setConfiguration(IntelligenceConfiguration.newBuilder().setId("intelligence_configuration_01")
                        .setFriendlyName("Support").setVersion("2").build())
                .setOperatorResults(List.of(OperatorResult.newBuilder().setId(resultId).setOperatorId("LY01")
                        .setOutputFormat("TEXT").setResultJson("{\"result\":\"calm\"}").setDateCreated("2026-11-24T10:20:00Z")
                        .setParticipants(List.of(IntelligenceParticipant.newBuilder().setId("p1")
                                .setProfileId("mem_profile_01").setType("CUSTOMER").build())).build()))
                .build();
    }

    void send(IntelligenceEvent event) throws Exception {
        producer.send(new ProducerRecord<>(Topic.INTELLIGENCE.topicName(), event.getConversationId(), event)).get();
    }

    SwitchboardAgent agent(String group, SwitchboardAgent.Builder builder) throws Exception {
        SwitchboardAgent agent = builder.groupId(group).retries(1).meterRegistry(new SimpleMeterRegistry())
                .onMessageReady((message, session, memory) -> null).build();
        agent.start();
        assertThat(agent.awaitAssignment(Duration.ofSeconds(30))).isTrue();
        return agent;
    }

    @Test
    void resultsReachTheCallbackInOrderOnceEvenWhenTheFirstAttemptFails() throws Exception {
        Queue<CiResult> seen = new ConcurrentLinkedQueue<>();
        AtomicInteger calls = new AtomicInteger();
        String conversation = prefix + "conv";
        try (SwitchboardAgent agent = agent(prefix + "agent", SwitchboardAgent.builder(TestKafka.env(Map.of()))
                .onIntelligence(result -> {
                    if (result.conversationId().equals(conversation) && calls.incrementAndGet() == 1) {
                        throw new IllegalStateException("first attempt fails");
                    }
                    seen.add(result);
                }))) {
            IntelligenceEvent first = event(conversation, "r1");
            send(first);
            send(first); // Twilio retried the webhook: same event id
            for (int i = 2; i <= 5; i++) {
                send(event(conversation, "r" + i));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> seen.stream()
                    .filter(r -> r.conversationId().equals(conversation)).anyMatch(r -> r.operatorResults().get(0).id().equals("r5")));
            // in order: a copy of r1 would have come before r5
            List<CiResult> mine = seen.stream().filter(r -> r.conversationId().equals(conversation)).toList();
            assertThat(mine).extracting(r -> r.operatorResults().get(0).id()).containsExactly("r1", "r2", "r3", "r4", "r5");
            CiResult r1 = mine.get(0);
            assertThat(r1.eventId()).isEqualTo(first.getEventId());
            assertThat(r1.configurationId()).isEqualTo("intelligence_configuration_01");
            assertThat(r1.configurationVersion()).isEqualTo("2");
            assertThat(r1.memoryStoreId()).isEqualTo("mem_store_01");
            CiResult.OperatorResult result = r1.operatorResults().get(0);
            assertThat(result.resultJson()).isEqualTo("{\"result\":\"calm\"}");
            assertThat(result.participants()).containsExactly(new CiResult.Participant("p1", "mem_profile_01", "CUSTOMER"));
        }
    }

    @Test
    void anAgentWithoutTheCallbackDoesNotReadTheTopic() throws Exception {
        String group = prefix + "plain";
        try (SwitchboardAgent agent = agent(group, SwitchboardAgent.builder(TestKafka.env(Map.of())));
             Admin admin = TestKafka.clients().admin("ci-test-admin")) {
            assertThat(admin.listGroups().all().get().stream().map(GroupListing::groupId))
                    .contains(group).doesNotContain(group + "-ci");
        }
    }
}
