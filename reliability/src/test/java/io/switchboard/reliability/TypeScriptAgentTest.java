package io.switchboard.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.agent.SwitchboardAgent;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.testkit.RelayClient;
import io.switchboard.testkit.TestKafka;
import io.switchboard.testkit.TopicTail;
import io.switchboard.topics.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An agent in another language on the real pipeline: {@link PipelineWithoutAgent} on the shared test cluster and,
 * instead of the Java agent, the TypeScript echo agent of
 * {@code examples/typescript-agent} as a {@code node} child process. A Java agent in another consumer group watches the
 * same topic. What a customer would observe is asserted: tokens on the relay socket, messages at the Twilio API.
 */
class TypeScriptAgentTest {
    /** Paces the TypeScript agent's streamed words, so an interrupt lands while a reply is streaming. */
    static final int WORD_DELAY_MS = 100;
    static final Duration FIRST_ANSWER = Duration.ofSeconds(60);

    static PipelineWithoutAgent pipeline;
    static TypeScriptAgentProcess agent;
    static SwitchboardAgent observer;
    /** The texts of every message the Java agent in the other group got. */
    static final Set<String> observed = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void start() throws Exception {
        TypeScriptAgentProcess.checkBuilt();
        pipeline = new PipelineWithoutAgent(TestKafka.env(Map.of()));
        String run = UUID.randomUUID().toString().substring(0, 8);
        observer = SwitchboardAgent.builder(pipeline.env).groupId("ts-observer-" + run)
                .onMessageReady((message, session, memory, reply) -> {
                    observed.add(message.text()); // watches only: one group per conversation replies
                }).build();
        observer.start();
        agent = new TypeScriptAgentProcess("embedded", Map.of("KAFKA_BOOTSTRAP_SERVERS", TestKafka.bootstrapServers(),
                "SWITCHBOARD_AGENT_GROUP_ID", "ts-agent-" + run,
                "ECHO_WORD_DELAY_MS", Integer.toString(WORD_DELAY_MS)));
        agent.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (observer != null) {
            observer.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void aCallIsAnsweredWithStreamedTokensInOrder() {
        try (RelayClient call = RelayClient.connect(pipeline.vertx, pipeline.port, PipelineWithoutAgent.TOKEN)) {
            call.setup(callSid()).prompt("hello from a call");
            await().atMost(FIRST_ANSWER).until(() -> hasLastToken(call));
            assertThat(call.received("text")).extracting(f -> f.getString("token"))
                    .containsExactly("You", " said:", " hello", " from", " a", " call", "");
            assertThat(call.received("text")).extracting(f -> f.getBoolean("last"))
                    .containsExactly(false, false, false, false, false, false, true);
            await().atMost(Duration.ofSeconds(10)).until(() -> observed.contains("hello from a call"));
        }
    }

    @Test
    void anSmsIsAnsweredOnceAtTheTwilioApiAndTheJavaAgentOfAnotherGroupSeesItToo() throws Exception {
        String conversation = conversation("sms");
        pipeline.deliver(conversation, "hello by text");
        await().atMost(FIRST_ANSWER).until(() -> !pipeline.replies(conversation).isEmpty());
        Thread.sleep(1_000); // a second send would have come by now
        assertThat(pipeline.replies(conversation)).containsExactly("You said: hello by text");
        await().atMost(Duration.ofSeconds(10)).until(() -> observed.contains("hello by text"));
    }

    @Test
    void anInterruptStopsTheStreamingReply() throws Exception {
        String callSid = callSid();
        String story = IntStream.range(0, 40).mapToObj(i -> "w" + i).collect(Collectors.joining(" "));
        try (RelayClient call = RelayClient.connect(pipeline.vertx, pipeline.port, PipelineWithoutAgent.TOKEN);
                TopicTail<OutboundEvent> outbound = new TopicTail<>(Topic.OUTBOUND)) {
            call.setup(callSid).prompt(story);
            await().atMost(FIRST_ANSWER).until(() -> call.received("text").stream()
                    .anyMatch(f -> " w2".equals(f.getString("token"))));
            call.interrupt("You said: w0 w1 w2", 700);

            // Ingress closes the interrupted turn with one empty last token; the agent sends nothing more.
            call.awaitFrame(f -> f.getBoolean("last", false));
            Thread.sleep(1_500);
            List<Reply> sent = outbound.values(callSid).stream().map(e -> (Reply) e.getPayload()).toList();
            assertThat(sent).as("tokens the agent wrote").isNotEmpty().hasSizeLessThan(20)
                    .noneSatisfy(r -> assertThat(r.getLast()).isTrue());
            assertThat(sent).extracting(Reply::getSequence)
                    .isEqualTo(IntStream.range(0, sent.size()).boxed().toList());
            int frames = call.received().size();
            Thread.sleep(1_000);
            assertThat(outbound.values(callSid)).as("after the interrupt").hasSize(sent.size());
            assertThat(call.received()).hasSize(frames);
            assertThat(call.received("text")).noneSatisfy(f -> assertThat(f.getString("token")).isEqualTo(" w39"));
        }
    }

    @Test
    void aKill9OfTheNodeProcessUnderLoadLosesNothingAndDoublesNothing() throws Exception {
        // Answered before the load starts: the agent is in its group and the pipeline warm.
        String warm = conversation("warm");
        pipeline.deliver(warm, "ready");
        await().atMost(FIRST_ANSWER).until(() -> !pipeline.replies(warm).isEmpty());

        Map<String, List<String>> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean sending = new AtomicBoolean(true);
        List<Thread> senders = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            String conversation = conversation("kill" + c);
            List<String> sent = Collections.synchronizedList(new ArrayList<>());
            acknowledged.put(conversation, sent);
            Thread sender = new Thread(() -> {
                for (int i = 0; sending.get(); i++) {
                    pipeline.deliver(conversation, "m" + i);
                    sent.add("m" + i);
                    pause(100);
                }
            }, "sms-" + c);
            sender.start();
            senders.add(sender);
        }
        Thread.sleep(2_000);
        agent.kill();
        Thread.sleep(500);
        agent.start();
        Thread.sleep(3_000);
        sending.set(false);
        for (Thread sender : senders) {
            sender.join(30_000);
        }

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> acknowledged.entrySet()
                .stream().allMatch(e -> pipeline.replies(e.getKey()).size() >= e.getValue().size()));
        Thread.sleep(1_000); // a doubled send would have come by now
        int messages = 0;
        for (Map.Entry<String, List<String>> e : acknowledged.entrySet()) {
            List<String> expected = e.getValue().stream().map(t -> "You said: " + t).toList();
            messages += expected.size();
            assertThat(pipeline.replies(e.getKey())).as("sent to the customer of " + e.getKey()).isEqualTo(expected);
        }
        assertThat(messages).as("messages acknowledged around the kill").isGreaterThan(40);
        assertThat(agent.isAlive()).as("the restarted agent").isTrue();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(observed)
                .as("the Java agent of the other group").containsAll(acknowledged.values().stream()
                        .flatMap(List::stream).toList()));
    }

    static boolean hasLastToken(RelayClient call) {
        return call.received("text").stream().anyMatch(f -> f.getBoolean("last", false));
    }

    static String conversation(String name) {
        return "conv_ts_" + name + "_" + UUID.randomUUID().toString().substring(0, 8);
    }

    static String callSid() {
        return "CA" + UUID.randomUUID().toString().replace("-", "");
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
