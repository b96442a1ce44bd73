package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which stage a thread or a sample of the dev stack is charged to (thread names as dev gives them). */
class StageTest {

    @Test
    void servicesThreadsAreTheirsByName() {
        assertThat(Stage.ofThread("switchboard-router-6e4c-a1-StreamThread-1")).isEqualTo(Stage.ROUTER);
        assertThat(Stage.ofThread("kafka-producer-network-thread | switchboard-router-6e4c-StreamThread-1-producer"))
                .isEqualTo(Stage.ROUTER);
        assertThat(Stage.ofThread("switchboard-memory-v2-d074afb1-StreamThread-1")).isEqualTo(Stage.MEMORY);
        assertThat(Stage.ofThread("kafka-producer-network-thread | switchboard-memory-v2-observations"))
                .isEqualTo(Stage.MEMORY);
        // the agent's producer to tac.outbound is the agent's, not the outbound-sender's
        assertThat(Stage.ofThread("kafka-producer-network-thread | switchboard-agent-1da0-outbound")).isEqualTo(Stage.AGENT);
        assertThat(Stage.ofThread("agent-switchboard-agent-poll")).isEqualTo(Stage.AGENT);
        assertThat(Stage.ofThread("switchboard-agent-handler-3")).isEqualTo(Stage.AGENT);
        assertThat(Stage.ofThread("outbound-poll")).isEqualTo(Stage.OUTBOUND);
        assertThat(Stage.ofThread("kafka-producer-network-thread | outbound-frames-dev")).isEqualTo(Stage.OUTBOUND);
        assertThat(Stage.ofThread("kafka-coordinator-heartbeat-thread | switchboard-outbound")).isEqualTo(Stage.OUTBOUND);
        assertThat(Stage.ofThread("kafka-producer-network-thread | ingress-0")).isEqualTo(Stage.INGRESS);
        assertThat(Stage.ofThread("voice-egress-1")).isEqualTo(Stage.INGRESS);
        assertThat(Stage.ofThread("simulator-tap")).isEqualTo(Stage.SIMULATOR);
        assertThat(Stage.ofThread("GC Thread#1")).isEqualTo(Stage.JVM);
        assertThat(Stage.ofThread("C2 CompilerThre")).isEqualTo(Stage.JIT);
        assertThat(Stage.ofThread("JFR Recorder Thread")).isEqualTo(Stage.JFR);
        // the broker's raft thread says "outbound" too, but is nobody's service
        assertThat(Stage.ofThread("kafka-1-raft-outbound-request-thread")).isNull();
        assertThat(Stage.ofThread("vert.x-eventloop-thread-0")).isNull();
        assertThat(Stage.ofThread("data-plane-kafka-request-handler-2")).isNull();
    }

    @Test
    void sharedThreadsSamplesGoToTheTopMostFrameOfAStage() {
        assertThat(Stage.ofSample("vert.x-eventloop-thread-1", List.of("org.apache.kafka.clients.producer.KafkaProducer",
                "io.switchboard.kafka.EventWriter", "io.switchboard.ingress.webhook.WebhookHandler",
                "io.vertx.ext.web.impl.RouterImpl"))).isEqualTo(Stage.INGRESS);
        assertThat(Stage.ofSample("vert.x-eventloop-thread-0", List.of("io.switchboard.memory.service.MemoryApi",
                "io.vertx.core.impl.ContextImpl"))).isEqualTo(Stage.MEMORY);
        assertThat(Stage.ofSample("vert.x-eventloop-thread-0", List.of("io.netty.channel.epoll.Native",
                "io.vertx.core.net.impl.ConnectionBase"))).isEqualTo(Stage.EVENT_LOOP);
        assertThat(Stage.ofSample("data-plane-kafka-request-handler-0", List.of("org.apache.kafka.common.record.MemoryRecords",
                "org.apache.kafka.storage.internals.log.UnifiedLog", "kafka.server.KafkaApis"))).isEqualTo(Stage.BROKER);
        assertThat(Stage.ofSample("kafka-1-raft-io-thread", List.of("org.apache.kafka.raft.KafkaRaftClient")))
                .isEqualTo(Stage.BROKER);
        assertThat(Stage.ofSample("main", List.of("java.lang.Thread"))).isEqualTo(Stage.OTHER);
    }

    @Test
    void threadsWithoutSamplesGoByName() {
        assertThat(Stage.ofUnsampledThread("data-plane-kafka-network-thread-1-PLAINTEXT-PLAINTEXT-0")).isEqualTo(Stage.BROKER);
        assertThat(Stage.ofUnsampledThread("vert.x-eventloo")).isEqualTo(Stage.EVENT_LOOP);
        assertThat(Stage.ofUnsampledThread("outbound-commit")).isEqualTo(Stage.OUTBOUND);
        assertThat(Stage.ofUnsampledThread("kafka-producer-")).isEqualTo(Stage.OTHER);
        // the consumer protocol's network thread, by its full name and by the kernel's 15 characters of it
        assertThat(Stage.ofThread("consumer_background_thread")).isEqualTo(Stage.CONSUMERS);
        assertThat(Stage.ofUnsampledThread("consumer_backgr")).isEqualTo(Stage.CONSUMERS);
    }
}
