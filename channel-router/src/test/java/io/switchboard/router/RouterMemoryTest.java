package io.switchboard.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.config.KafkaSettings;
import io.switchboard.events.AgentEvent;
import io.switchboard.events.Channel;
import io.switchboard.events.ConversationStatus;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.Memory;
import io.switchboard.events.Observation;
import io.switchboard.events.agent.CallConnected;
import io.switchboard.events.agent.ConversationEnded;
import io.switchboard.events.agent.MessageReady;
import io.switchboard.memory.MemoryQuery;
import io.switchboard.router.InboundFixtures.Call;
import io.switchboard.router.InboundFixtures.Chat;
import io.switchboard.serde.EventSerdes;
import io.switchboard.topics.Topic;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * memory_mode through the real topology in a {@link TopologyTestDriver}, against a real HTTP server standing in for
 * memory-service. The fetches are really asynchronous: the test advances the driver's wall clock (which runs the
 * punctuation that takes completed fetches up) until the agent events are there.
 */
class RouterMemoryTest {
    private static final Instant START = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path stateDir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private FakeMemoryService memory;
    private TopologyTestDriver driver;
    private TestInputTopic<String, InboundEvent> inbound;
    private TestOutputTopic<String, AgentEvent> agent;
    private final List<AgentEvent> out = new ArrayList<>();

    @BeforeEach
    void startMemory() throws Exception {
        memory = new FakeMemoryService();
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
        memory.close();
    }

    private void startRouter(Map<String, String> settings) {
        Map<String, String> env = new HashMap<>(settings);
        env.put(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:1");
        env.put(RouterConfig.STATE_DIR, stateDir.toString());
        env.putIfAbsent(RouterConfig.MEMORY_URL, memory.url());
        env.putIfAbsent(io.switchboard.config.InternalToken.NAME, FakeMemoryService.TOKEN);
        RouterConfig config = RouterConfig.fromEnv(env);
        EventSerdes serdes = config.kafka().serdes();
        RouterMetrics metrics = new RouterMetrics(registry);
        driver = new TopologyTestDriver(RouterTopology.build(config, serdes, metrics),
                RouterService.streamsProperties(config, serdes, metrics), START);
        inbound = driver.createInputTopic(Topic.INBOUND.topicName(), new StringSerializer(),
                serdes.forType(InboundEvent.class).serializer());
        agent = driver.createOutputTopic(Topic.AGENT.topicName(), new StringDeserializer(),
                serdes.forType(AgentEvent.class).deserializer());
    }

    @Test
    void onceFetchesAtTheFirstMessageCachesItAndFetchesAgainAfterInactive() {
        startRouter(Map.of(RouterConfig.MEMORY_MODE, "once"));
        Chat chat = new Chat(Channel.SMS);
        send(chat.message("Hi, where is my order?"));
        Memory first = memoryOf(awaitAgentEvents(1).get(0));
        assertThat(observations(first)).containsExactly(FakeMemoryService.recalled(""));
        assertThat(memory.queries()).hasSize(1);
        MemoryQuery query = memory.queries().get(0);
        assertThat(query.query()).as("once: an empty query").isEmpty();
        assertThat(query.profileId()).isEqualTo("mem_profile_03");
        assertThat(query.address()).isEqualTo(InboundFixtures.CUSTOMER);
        assertThat(query.channel()).isEqualTo(Channel.SMS);
        assertThat(query.conversationId()).isEqualTo(chat.conversationId);

        send(chat.message("Order 1234"));
        AgentEvent second = awaitAgentEvents(2).get(1);
        assertThat(((MessageReady) second.getPayload()).getText()).isEqualTo("Order 1234");
        assertThat(memoryOf(second)).as("served from the session's cache").isEqualTo(first);
        assertThat(memory.queries()).hasSize(1);

        send(chat.status(ConversationStatus.INACTIVE));
        KeyValueStore<String, ConversationState> sessions = driver.getKeyValueStore(RouterTopology.SESSION_STORE);
        assertThat(sessions.get(chat.conversationId).memory).as("invalidated on INACTIVE").isNull();
        send(chat.message("Are you there?"));
        AgentEvent third = awaitAgentEvents(3).get(2);
        assertThat(memory.queries()).as("fetched again after INACTIVE").hasSize(2);
        assertThat(observations(memoryOf(third))).containsExactly(FakeMemoryService.recalled(""));
        assertThat(sessions.get(chat.conversationId).memory).isNotNull();
        assertThat(count(RouterMetrics.MEMORY_FETCHES, "outcome", "ok")).isEqualTo(2);
    }

    @Test
    void alwaysFetchesForEveryMessageWithItsTextAsQuery() {
        startRouter(Map.of(RouterConfig.MEMORY_MODE, "always"));
        Chat chat = new Chat(Channel.WHATSAPP);
        send(chat.message("where is my order?"));
        send(chat.message("order 1234"));

        List<AgentEvent> events = awaitAgentEvents(2);
        assertThat(events).extracting(e -> ((MessageReady) e.getPayload()).getText())
                .containsExactly("where is my order?", "order 1234");
        assertThat(observations(memoryOf(events.get(0)))).containsExactly(FakeMemoryService.recalled("where is my order?"));
        assertThat(observations(memoryOf(events.get(1)))).containsExactly(FakeMemoryService.recalled("order 1234"));
        assertThat(memory.queries()).extracting(MemoryQuery::query).containsExactly("where is my order?", "order 1234");
    }

    @Test
    void neverAttachesNoMemoryAndCallsNothingAndModesAreSetPerChannel() {
        startRouter(Map.of(RouterConfig.MEMORY_MODE, "never", RouterConfig.MEMORY_MODE_PREFIX + "RCS", "always"));
        Chat sms = new Chat(Channel.SMS);
        send(sms.message("hello"));
        AgentEvent plain = agent.readValue();
        assertThat(((MessageReady) plain.getPayload()).getMemory()).isNull();
        assertThat(memory.queries()).isEmpty();

        Chat rcs = new Chat(Channel.RCS);
        send(rcs.message("hello from RCS"));
        AgentEvent withMemory = awaitAgentEvents(1).get(0);
        assertThat(observations(memoryOf(withMemory))).containsExactly(FakeMemoryService.recalled("hello from RCS"));
        assertThat(memory.queries()).hasSize(1);
    }

    @Test
    void memoryServiceErrorLetsTheMessageGoOnWithoutMemory() {
        startRouter(Map.of(RouterConfig.MEMORY_MODE, "once"));
        Chat chat = new Chat(Channel.SMS);
        memory.failWith(chat.conversationId, 503);
        send(chat.message("hello"));

        AgentEvent event = awaitAgentEvents(1).get(0);
        assertThat(((MessageReady) event.getPayload()).getText()).isEqualTo("hello");
        assertThat(((MessageReady) event.getPayload()).getMemory()).isNull();
        assertThat(count(RouterMetrics.MEMORY_FETCHES, "outcome", "error")).isEqualTo(1);

        memory.failWith(chat.conversationId, 200);
        send(chat.message("again"));
        AgentEvent next = awaitAgentEvents(2).get(1);
        assertThat(memoryOf(next)).as("a failed once-fetch caches nothing: the next message tries again").isNotNull();
        assertThat(memory.queries()).hasSize(2);
    }

    @Test
    void slowMemoryServiceLetsTheMessageGoOnWithoutMemoryAfterTheTimeout() {
        startRouter(Map.of(RouterConfig.MEMORY_MODE, "always", RouterConfig.MEMORY_TIMEOUT_MS, "300"));
        Chat chat = new Chat(Channel.SMS);
        memory.delay(chat.conversationId, Duration.ofSeconds(3));
        send(chat.message("hello"));

        AgentEvent event = awaitAgentEvents(1).get(0);
        assertThat(((MessageReady) event.getPayload()).getMemory()).isNull();
        assertThat(count(RouterMetrics.MEMORY_FETCHES, "outcome", "timeout")).isEqualTo(1);
    }

    @Test
    void punctuationReleasesAHeldMessageAtTheTimeoutEvenWhenTheFetchNeverEnds() {
        startRouter(Map.of(RouterConfig.MEMORY_MODE, "always", RouterConfig.MEMORY_TIMEOUT_MS, "10000"));
        Chat chat = new Chat(Channel.SMS);
        memory.delay(chat.conversationId, Duration.ofSeconds(30));
        send(chat.message("hello"));
        driver.advanceWallClockTime(Duration.ofSeconds(9));
        assertThat(agent.isEmpty()).as("held while the fetch may still answer").isTrue();
        assertThat(registry.find(RouterMetrics.MEMORY_HELD).gauge().value()).isEqualTo(1);

        driver.advanceWallClockTime(Duration.ofSeconds(1));
        AgentEvent event = agent.readValue();
        assertThat(((MessageReady) event.getPayload()).getMemory()).isNull();
        assertThat(count(RouterMetrics.MEMORY_FETCHES, "outcome", "timeout")).isEqualTo(1);
        assertThat(registry.find(RouterMetrics.MEMORY_HELD).gauge().value()).isZero();
        KeyValueStore<String, HeldMessage> held = driver.getKeyValueStore(RouterTopology.HELD_STORE);
        assertThat(held.get(chat.conversationId)).isNull();
    }

    @Test
    void laterEventsOfAConversationWaitBehindItsHeldMessageWhileOtherConversationsGoOn() {
        startRouter(Map.of(RouterConfig.MEMORY_MODE, "always", RouterConfig.MEMORY_TIMEOUT_MS, "5000"));
        Chat slow = new Chat(Channel.SMS);
        Chat fast = new Chat(Channel.SMS);
        memory.delay(slow.conversationId, Duration.ofMillis(400));
        send(slow.message("first"));
        send(slow.message("second"));
        send(slow.status(ConversationStatus.CLOSED));
        send(fast.message("meanwhile"));

        List<AgentEvent> events = awaitAgentEvents(4);
        assertThat(events).extracting(RouterMemoryTest::describe).containsExactly(
                "meanwhile", "first", "second", "ended:CLOSED");
        assertThat(memory.queriesOf(slow.conversationId)).extracting(MemoryQuery::query).containsExactly("first", "second");
        assertThat(observations(memoryOf(events.get(2)))).containsExactly(FakeMemoryService.recalled("second"));
    }

    @Test
    void relayOnlyVoiceGetsAnEmptyMemoryWithoutAnyCallAndOrchestratedVoiceFetches() {
        startRouter(Map.of(RouterConfig.MEMORY_MODE_PREFIX + "VOICE", "always"));
        Call relayOnly = Call.relayOnly();
        send(relayOnly.setup());
        assertThat(agent.readValue().getPayload()).isInstanceOf(CallConnected.class);
        send(relayOnly.prompt("hello", true));
        Memory empty = memoryOf(agent.readValue());
        assertThat(empty.getObservations()).isEmpty();
        assertThat(empty.getSummaries()).isEmpty();
        assertThat(empty.getCommunications()).isEmpty();
        assertThat(memory.queries()).as("no HTTP call for relay-only voice").isEmpty();

        Call orchestrated = Call.orchestrated(InboundFixtures.conversationId());
        send(orchestrated.setup());
        send(orchestrated.prompt("I want to change my delivery address.", true));
        AgentEvent event = awaitAgentEvents(2).get(1);
        assertThat(observations(memoryOf(event))).containsExactly(
                FakeMemoryService.recalled("I want to change my delivery address."));
        MemoryQuery query = memory.queries().get(0);
        assertThat(query.profileId()).isEqualTo("mem_profile_02");
        assertThat(query.channel()).isEqualTo(Channel.VOICE);
        assertThat(query.address()).isEqualTo(InboundFixtures.CUSTOMER);
    }

    private static String describe(AgentEvent event) {
        if (event.getPayload() instanceof MessageReady message) {
            return message.getText();
        }
        return "ended:" + ((ConversationEnded) event.getPayload()).getReason();
    }

    /** Advances the wall clock (running the punctuation that takes fetches up) until {@code n} events came out. */
    private List<AgentEvent> awaitAgentEvents(int n) {
        await().atMost(Duration.ofSeconds(20)).pollInSameThread().pollInterval(Duration.ofMillis(5)).until(() -> {
            driver.advanceWallClockTime(Duration.ofMillis(5));
            out.addAll(agent.readValuesToList());
            return out.size() >= n;
        });
        return List.copyOf(out);
    }

    private static Memory memoryOf(AgentEvent event) {
        Memory found = ((MessageReady) event.getPayload()).getMemory();
        assertThat(found).as("memory of %s", event.getEventId()).isNotNull();
        return found;
    }

    private static List<String> observations(Memory memory) {
        return memory.getObservations().stream().map(Observation::getContent).toList();
    }

    private void send(InboundEvent event) {
        inbound.pipeInput(event.getConversationId(), event);
    }

    private double count(String name, String tag, String value) {
        var counter = registry.find(name).tag(tag, value).counter();
        return counter == null ? 0 : counter.count();
    }
}
