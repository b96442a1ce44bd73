package io.switchboard.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.config.KafkaSettings;
import io.switchboard.events.AgentEvent;
import io.switchboard.events.Channel;
import io.switchboard.events.ConversationStatus;
import io.switchboard.events.DeadLetter;
import io.switchboard.events.DeliveryEvent;
import io.switchboard.events.DeliveryStatus;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.Session;
import io.switchboard.events.agent.AgentDtmf;
import io.switchboard.events.agent.AgentInterrupt;
import io.switchboard.events.agent.CallConnected;
import io.switchboard.events.agent.ConversationEnded;
import io.switchboard.events.agent.EndReason;
import io.switchboard.events.agent.HandoffFailed;
import io.switchboard.events.agent.MessageReady;
import io.switchboard.ids.EventIds;
import io.switchboard.router.InboundFixtures.Call;
import io.switchboard.router.InboundFixtures.Chat;
import io.switchboard.serde.EventSerdes;
import io.switchboard.topics.Topic;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/** Every routing rule, through the real topology in a {@link TopologyTestDriver} (wall clock under the test's control). */
class RouterTopologyTest {
    private static final Instant START = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path stateDir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, InboundEvent> inbound;
    private TestInputTopic<byte[], byte[]> rawInbound;
    private TestOutputTopic<String, AgentEvent> agent;
    private TestOutputTopic<String, DeadLetter> deadLetters;
    private boolean deadLetterTest;

    /**
     * The production properties, exactly-once included; except for the dead-letter test: the test driver does not
     * capture records a handler sends under exactly-once (the broker test {@code RouterServiceIT} covers that).
     */
    private Properties properties(Properties production) {
        if (deadLetterTest) {
            production.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        }
        return production;
    }

    @BeforeEach
    void startDriver(TestInfo test) {
        deadLetterTest = test.getTestMethod().orElseThrow().getName().startsWith("undecodable");
        RouterConfig config = RouterConfig.fromEnv(Map.of(
                KafkaSettings.BOOTSTRAP_SERVERS, "localhost:1",
                RouterConfig.STATE_DIR, stateDir.toString(),
                RouterConfig.INACTIVITY_TIMEOUT_MS, "1800000",
                RouterConfig.DEDUP_WINDOW_MS, "86400000",
                RouterConfig.CALL_END_GRACE_MS, "5000"));
        EventSerdes serdes = config.kafka().serdes();
        RouterMetrics metrics = new RouterMetrics(registry);
        driver = new TopologyTestDriver(RouterTopology.build(config, serdes, metrics),
                properties(RouterService.streamsProperties(config, serdes, metrics)), START);
        inbound = driver.createInputTopic(Topic.INBOUND.topicName(), new StringSerializer(),
                serdes.forType(InboundEvent.class).serializer());
        rawInbound = driver.createInputTopic(Topic.INBOUND.topicName(), new ByteArraySerializer(), new ByteArraySerializer());
        agent = driver.createOutputTopic(Topic.AGENT.topicName(), new StringDeserializer(),
                serdes.forType(AgentEvent.class).deserializer());
        deadLetters = driver.createOutputTopic(Topic.DEAD_LETTER.topicName(), new StringDeserializer(),
                serdes.forType(DeadLetter.class).deserializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    /** Sends the call's setup and takes the CallConnected it gives agents, before any prompt. */
    private AgentEvent connect(Call call) {
        send(call.setup());
        AgentEvent connected = agent.readValue();
        assertThat(connected.getPayload()).isInstanceOf(CallConnected.class);
        assertThat(connected.getSession().getCallSid()).isEqualTo(call.callSid);
        return connected;
    }

    // ---- voice ----

    @Test
    void voiceCallReachesAgentsAsMessageInterruptAndDigitWithTheSession() {
        Call call = Call.relayOnly();
        CallConnected connected = (CallConnected) connect(call).getPayload();
        assertThat(connected.getCallSid()).isEqualTo(call.callSid);
        assertThat(connected.getSessionId()).isEqualTo(call.relaySessionId);
        assertThat(connected.getFrom()).isEqualTo(InboundFixtures.CUSTOMER);
        assertThat(connected.getCustomParameters()).containsEntry("profileId", "mem_profile_01");
        assertThat(agent.isEmpty()).as("setup alone produces only CallConnected (TAC's onSetup)").isTrue();

        InboundEvent prompt = call.prompt("I want to change my delivery address.", true);
        send(prompt);
        send(call.interrupt("Sure, I can help you change", 1460));
        send(call.dtmf("1"));

        List<AgentEvent> out = agent.readValuesToList();
        assertThat(out).hasSize(3).allSatisfy(e -> assertThat(e.getConversationId()).isEqualTo(call.callSid));
        AgentEvent ready = out.get(0);
        assertThat(ready.getEventId()).isEqualTo(EventIds.derived(prompt.getEventId(), "agent"));
        assertThat(ready.getTraceId()).isEqualTo(prompt.getTraceId());
        MessageReady message = (MessageReady) ready.getPayload();
        assertThat(message.getMessageId()).isEqualTo(prompt.getEventId());
        assertThat(message.getText()).isEqualTo("I want to change my delivery address.");
        assertThat(message.getLang()).isEqualTo("en-US");
        assertThat(message.getTurn()).isEqualTo(1);
        Session session = ready.getSession();
        assertThat(session.getChannel()).isEqualTo(Channel.VOICE);
        assertThat(session.getCallSid()).isEqualTo(call.callSid);
        assertThat(session.getRelaySessionId()).isEqualTo(call.relaySessionId);
        assertThat(session.getIngressInstance()).isEqualTo(1);
        assertThat(session.getFrom()).isEqualTo(InboundFixtures.CUSTOMER);
        assertThat(session.getTo()).isEqualTo(InboundFixtures.BUSINESS);
        assertThat(session.getProfileId()).isEqualTo("mem_profile_01");
        assertThat(session.getCustomParameters()).containsEntry("profileId", "mem_profile_01");

        AgentInterrupt interrupt = (AgentInterrupt) out.get(1).getPayload();
        assertThat(interrupt.getUtteranceUntilInterrupt()).isEqualTo("Sure, I can help you change");
        assertThat(interrupt.getDurationUntilInterruptMs()).isEqualTo(1460);
        assertThat(interrupt.getTurn()).isEqualTo(2);
        assertThat(((AgentDtmf) out.get(2).getPayload()).getDigit()).isEqualTo("1");
        assertThat(count(RouterMetrics.EVENTS_OUT, "type", "MessageReady")).isEqualTo(1);
        assertThat(count(RouterMetrics.EVENTS_IN, "type", "CallStarted")).isEqualTo(1);
    }

    @Test
    void partialPromptsAreHeldUntilTheLastOneWhoseTextWins() {
        Call call = Call.relayOnly();
        connect(call);
        send(call.prompt("I want", false));
        send(call.prompt("I want to change my", false));
        assertThat(agent.isEmpty()).as("partial prompts do not reach agents").isTrue();

        InboundEvent last = call.prompt("I want to change my delivery address.", true);
        send(last);
        List<AgentEvent> out = agent.readValuesToList();
        assertThat(out).hasSize(1);
        MessageReady message = (MessageReady) out.get(0).getPayload();
        assertThat(message.getText()).isEqualTo("I want to change my delivery address.");
        assertThat(message.getTurn()).isEqualTo(3);
        assertThat(message.getMessageId()).isEqualTo(last.getEventId());

        send(call.prompt("And my phone", false));
        send(call.prompt("", true));
        assertThat(((MessageReady) agent.readValue().getPayload()).getText())
                .as("an empty final prompt falls back to the latest partial").isEqualTo("And my phone");
    }

    @Test
    void relayOnlyCallEndsOnceWithTheCallbacksHandoffDataWhenTheSocketClosesFirst() {
        Call call = Call.relayOnly();
        connect(call);
        send(call.socketClosed());
        assertThat(agent.isEmpty()).as("waits for the action callback").isTrue();
        send(call.actionCallback("{\"reasonCode\":\"live-agent-handoff\"}"));
        driver.advanceWallClockTime(Duration.ofMinutes(5));

        List<AgentEvent> out = agent.readValuesToList();
        assertThat(out).hasSize(1);
        ConversationEnded ended = (ConversationEnded) out.get(0).getPayload();
        assertThat(ended.getReason()).isEqualTo(EndReason.CALL_ENDED);
        assertThat(ended.getHandoffData()).isEqualTo("{\"reasonCode\":\"live-agent-handoff\"}");
    }

    @Test
    void relayOnlyCallEndsOnceWhenTheCallbackArrivesBeforeTheSocketClose() {
        Call call = Call.relayOnly();
        connect(call);
        send(call.prompt("bye", true));
        agent.readValuesToList();
        send(call.actionCallback("{\"reason\":\"done\"}"));
        send(call.socketClosed());
        send(call.actionCallback("{\"reason\":\"done\"}")); // a retried callback is a duplicate too
        driver.advanceWallClockTime(Duration.ofMinutes(5));

        List<AgentEvent> out = agent.readValuesToList();
        assertThat(out).hasSize(1);
        assertThat(((ConversationEnded) out.get(0).getPayload()).getHandoffData()).isEqualTo("{\"reason\":\"done\"}");
        assertThat(count(RouterMetrics.ENDED, "reason", "CALL_ENDED")).isEqualTo(1);
    }

    @Test
    void relayOnlyCallWithoutCallbackEndsWhenTheGraceExpires() {
        Call call = Call.relayOnly();
        connect(call);
        send(call.socketClosed());
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertThat(agent.isEmpty()).isTrue();
        driver.advanceWallClockTime(Duration.ofSeconds(4));

        List<AgentEvent> out = agent.readValuesToList();
        assertThat(out).hasSize(1);
        assertThat(((ConversationEnded) out.get(0).getPayload()).getReason()).isEqualTo(EndReason.CALL_ENDED);
        assertThat(((ConversationEnded) out.get(0).getPayload()).getHandoffData()).isNull();

        send(call.actionCallback("{}"));
        driver.advanceWallClockTime(Duration.ofMinutes(1));
        assertThat(agent.isEmpty()).as("a late callback does not end it twice").isTrue();
    }

    @Test
    void orchestratedConversationOutlivesItsCallsAndEndsOnClosed() {
        String conversationId = InboundFixtures.conversationId();
        Call first = Call.orchestrated(conversationId);
        connect(first);
        send(first.prompt("hello", true));
        Session firstSession = agent.readValue().getSession();
        assertThat(firstSession.getConversationId()).isEqualTo(conversationId);
        assertThat(firstSession.getCustomerParticipantId()).isEqualTo("conv_participant_cust");
        assertThat(firstSession.getAgentParticipantId()).isEqualTo("conv_participant_agent");
        send(first.socketClosed());
        send(first.actionCallback(null));
        driver.advanceWallClockTime(Duration.ofMinutes(1));
        assertThat(agent.isEmpty()).as("the call ending does not end an orchestrated conversation").isTrue();

        Call second = Call.orchestrated(conversationId);
        connect(second);
        send(second.prompt("it's me again", true));
        Session secondSession = agent.readValue().getSession();
        assertThat(secondSession.getCallSid()).isEqualTo(second.callSid);
        assertThat(secondSession.getRelaySessionId()).isEqualTo(second.relaySessionId);
        assertThat(secondSession.getStartedAt()).as("the same session goes on").isEqualTo(firstSession.getStartedAt());

        send(InboundFixtures.stateChange(conversationId, ConversationStatus.CLOSED));
        List<AgentEvent> out = agent.readValuesToList();
        assertThat(out).hasSize(1);
        assertThat(((ConversationEnded) out.get(0).getPayload()).getReason()).isEqualTo(EndReason.CLOSED);
        assertThat(out.get(0).getSession().getCallSid()).isEqualTo(second.callSid);
    }

    @Test
    void voiceFramesWithoutSetupOrAfterTheCallEndedAreDropped() {
        Call call = Call.relayOnly();
        send(call.prompt("is anyone there?", true));
        assertThat(agent.isEmpty()).as("no setup: no socket to answer on").isTrue();
        assertThat(count(RouterMetrics.DROPPED, "reason", "no_session")).isEqualTo(1);

        connect(call);
        send(call.actionCallback(null));
        agent.readValuesToList();
        send(call.prompt("too late", true));
        assertThat(agent.isEmpty()).isTrue();
        assertThat(count(RouterMetrics.DROPPED, "reason", "ended")).isEqualTo(1);
    }

    @Test
    void newRelaySessionOnTheSameCallAfterTheEndStartsAFreshSession() {
        Call call = Call.relayOnly();
        connect(call);
        send(call.actionCallback(null));
        assertThat(((ConversationEnded) agent.readValue().getPayload()).getReason()).isEqualTo(EndReason.CALL_ENDED);

        // the action callback answered with another <Connect><ConversationRelay>: same call, new relay session
        Call again = new Call(call.callSid, call.callSid, call.customParameters, 3);
        connect(again);
        send(again.prompt("I'm back", true));
        AgentEvent ready = agent.readValue();
        assertThat(((MessageReady) ready.getPayload()).getText()).isEqualTo("I'm back");
        assertThat(ready.getSession().getRelaySessionId()).isEqualTo(again.relaySessionId);
        assertThat(ready.getSession().getIngressInstance()).isEqualTo(3);
        send(call.socketClosed()); // the old socket's close is stale
        driver.advanceWallClockTime(Duration.ofMinutes(1));
        assertThat(agent.isEmpty()).isTrue();
    }

    @Test
    void orchestratedCallEndedOnlyByInactivityWhenNoClosedComes() {
        Call call = Call.orchestrated(InboundFixtures.conversationId());
        connect(call);
        send(call.socketClosed());
        driver.advanceWallClockTime(Duration.ofMinutes(10));
        assertThat(agent.isEmpty()).isTrue();
        driver.advanceWallClockTime(Duration.ofMinutes(21));
        List<AgentEvent> out = agent.readValuesToList();
        assertThat(out).hasSize(1);
        assertThat(((ConversationEnded) out.get(0).getPayload()).getReason()).isEqualTo(EndReason.INACTIVITY_TIMEOUT);
        send(call.prompt("hello?", true));
        assertThat(agent.isEmpty()).as("the call is gone: nothing to answer on").isTrue();
    }

    @Test
    void callStillConnectedAfterAnInactivityEndGetsAFreshSession() {
        String conversationId = InboundFixtures.conversationId();
        Call call = Call.orchestrated(conversationId);
        connect(call);
        driver.advanceWallClockTime(Duration.ofMinutes(31));
        assertThat(((ConversationEnded) agent.readValue().getPayload()).getReason()).isEqualTo(EndReason.INACTIVITY_TIMEOUT);

        send(call.prompt("sorry, I was on hold", true));
        AgentEvent ready = agent.readValue();
        assertThat(((MessageReady) ready.getPayload()).getText()).isEqualTo("sorry, I was on hold");
        assertThat(ready.getSession().getIngressInstance()).isEqualTo(2);
        assertThat(ready.getSession().getStartedAt()).isAfter(START.plus(Duration.ofMinutes(30)));
    }

    // ---- messaging ----

    @Test
    void messagingSessionStartsAtTheFirstMessageAndFollowsTheLatestChannelId() {
        Chat chat = new Chat(Channel.WHATSAPP);
        InboundEvent first = chat.message("Hi, where is my order?");
        InboundEvent second = chat.message("Order 1234");
        send(first);
        send(second);

        List<AgentEvent> out = agent.readValuesToList();
        assertThat(out).hasSize(2);
        MessageReady message = (MessageReady) out.get(0).getPayload();
        assertThat(message.getMessageId()).isEqualTo(first.getEventId());
        assertThat(message.getText()).isEqualTo("Hi, where is my order?");
        Session session = out.get(0).getSession();
        assertThat(session.getChannel()).isEqualTo(Channel.WHATSAPP);
        assertThat(session.getFrom()).isEqualTo(InboundFixtures.CUSTOMER);
        assertThat(session.getTo()).isEqualTo(InboundFixtures.BUSINESS);
        assertThat(session.getCustomerParticipantId()).isEqualTo("conv_participant_cust");
        assertThat(session.getAgentParticipantId()).isEqualTo("conv_participant_agent");
        assertThat(session.getProfileId()).isEqualTo("mem_profile_03");
        assertThat(session.getChannelId()).isEqualTo(((MessageReady) out.get(0).getPayload()).getChannelId());
        assertThat(out.get(1).getSession().getChannelId()).isEqualTo(((MessageReady) out.get(1).getPayload()).getChannelId())
                .isNotEqualTo(session.getChannelId());
        assertThat(out.get(1).getSession().getStartedAt()).isEqualTo(session.getStartedAt());
    }

    @Test
    void closedEndsAMessagingConversationAndInactiveIsRecorded() {
        Chat chat = new Chat(Channel.SMS);
        send(chat.message("hello"));
        agent.readValuesToList();

        send(chat.status(ConversationStatus.INACTIVE));
        assertThat(agent.isEmpty()).isTrue();
        KeyValueStore<String, ConversationState> sessions = driver.getKeyValueStore(RouterTopology.SESSION_STORE);
        assertThat(sessions.get(chat.conversationId).status).isEqualTo(ConversationStatus.INACTIVE);

        send(chat.status(ConversationStatus.CLOSED));
        send(chat.status(ConversationStatus.CLOSED));
        List<AgentEvent> out = agent.readValuesToList();
        assertThat(out).hasSize(1);
        assertThat(((ConversationEnded) out.get(0).getPayload()).getReason()).isEqualTo(EndReason.CLOSED);

        send(chat.message("one more thing"));
        AgentEvent after = agent.readValue();
        assertThat(((MessageReady) after.getPayload()).getText()).isEqualTo("one more thing");
        assertThat(after.getSession().getStartedAt()).as("a new session").isNotNull();
    }

    // ---- dedup, inactivity, dead letters ----

    @Test
    void duplicateEventReachesAgentsOnceWithinTheWindowAndIsForgottenAfterIt() {
        Chat chat = new Chat(Channel.SMS);
        InboundEvent message = chat.message("hello");
        send(message);
        send(message);
        assertThat(agent.readValuesToList()).hasSize(1);
        assertThat(count(RouterMetrics.DUPLICATES, "type", "MessageReceived")).isEqualTo(1);

        driver.advanceWallClockTime(Duration.ofHours(25));
        KeyValueStore<String, Long> ids = driver.getKeyValueStore(RouterTopology.DEDUP_STORE);
        assertThat(ids.get(message.getEventId())).as("cleaned by the punctuation").isNull();
        try (var expiry = driver.<String, String>getKeyValueStore(RouterTopology.DEDUP_EXPIRY_STORE).all()) {
            assertThat(expiry.hasNext()).as("expiry index trimmed").isFalse();
        }
    }

    @Test
    void idleConversationEndsOnceAfterTheInactivityTimeoutAndItsStateIsFreed() {
        Chat chat = new Chat(Channel.SMS);
        send(chat.message("hello"));
        agent.readValuesToList();

        driver.advanceWallClockTime(Duration.ofMinutes(29));
        assertThat(agent.isEmpty()).isTrue();
        driver.advanceWallClockTime(Duration.ofMinutes(2));
        List<AgentEvent> out = agent.readValuesToList();
        assertThat(out).hasSize(1);
        assertThat(((ConversationEnded) out.get(0).getPayload()).getReason()).isEqualTo(EndReason.INACTIVITY_TIMEOUT);
        assertThat(out.get(0).getConversationId()).isEqualTo(chat.conversationId);

        driver.advanceWallClockTime(Duration.ofMinutes(40));
        assertThat(agent.isEmpty()).as("ended once").isTrue();
        KeyValueStore<String, ConversationState> sessions = driver.getKeyValueStore(RouterTopology.SESSION_STORE);
        assertThat(sessions.get(chat.conversationId)).as("state freed").isNull();
    }

    @Test
    void activityKeepsAConversationAlive() {
        Chat chat = new Chat(Channel.SMS);
        send(chat.message("hello"));
        driver.advanceWallClockTime(Duration.ofMinutes(20));
        send(chat.message("still there?"));
        driver.advanceWallClockTime(Duration.ofMinutes(20));
        assertThat(agent.readValuesToList()).hasSize(2).allSatisfy(e -> assertThat(e.getPayload()).isInstanceOf(MessageReady.class));
    }

    @Test
    void undecodableRecordGoesToTheDeadLetterTopicAndRoutingGoesOn() {
        byte[] key = "conv_poison".getBytes(StandardCharsets.UTF_8);
        byte[] garbage = "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8);
        rawInbound.pipeInput(key, garbage);
        Chat chat = new Chat(Channel.SMS);
        send(chat.message("hello"));

        DeadLetter letter = deadLetters.readValue();
        assertThat(letter.getService()).isEqualTo("channel-router");
        assertThat(letter.getOriginTopic()).isEqualTo(Topic.INBOUND.topicName());
        assertThat(letter.getOriginOffset()).isEqualTo(0L);
        assertThat(letter.getConversationId()).isEqualTo("conv_poison");
        assertThat(StandardCharsets.UTF_8.decode(letter.getOriginalValue()).toString()).isEqualTo("{\"not\":\"avro\"}");
        assertThat(letter.getErrorClass()).contains("SerializationException");
        assertThat(agent.readValuesToList()).hasSize(1);
        assertThat(count(RouterMetrics.DEAD_LETTERS, "stage", "deserialization")).isEqualTo(1);
    }

    // ---- messaging handoff: the router acts on the outcome (tac.delivery.v1), never on the request ----

    @Test
    void acceptedHandoffEndsTheSessionWithTheDeliveredHandoffDataAndLaterMessagesStayWithTheHuman() {
        Chat chat = new Chat(Channel.SMS);
        send(chat.message("I want a human"));
        agent.readValuesToList();

        String data = "{\"conversationId\":\"" + chat.conversationId + "\",\"storeId\":\"mem_store_1\",\"profileId\":\"\",\"attributes\":{\"reason\":\"asked\"}}";
        deliver(handoffDelivery(chat.conversationId, "out-1", DeliveryStatus.SENT, data, null));
        List<AgentEvent> out = agent.readValuesToList();
        assertThat(out).hasSize(1);
        ConversationEnded ended = (ConversationEnded) out.get(0).getPayload();
        assertThat(ended.getReason()).isEqualTo(EndReason.HANDOFF);
        assertThat(ended.getHandoffData()).as("carried from the delivery, not rebuilt").isEqualTo(data);
        assertThat(out.get(0).getEventId()).isEqualTo(EventIds.derived("out-1", "handoff"));

        send(chat.message("are you there?"));
        assertThat(agent.isEmpty()).as("a handed-off conversation no longer reaches agents").isTrue();
        assertThat(count(RouterMetrics.DROPPED, "reason", "handed_off")).isEqualTo(1);
    }

    @Test
    void failedHandoffTellsTheAgentAndTheConversationStaysWithIt() {
        Chat chat = new Chat(Channel.WHATSAPP);
        send(chat.message("I want a human"));
        agent.readValuesToList();

        deliver(handoffDelivery(chat.conversationId, "out-1", DeliveryStatus.FAILED, "{\"conversationId\":\"x\"}",
                "Internal Server Error"));
        List<AgentEvent> out = agent.readValuesToList();
        assertThat(out).hasSize(1);
        HandoffFailed failed = (HandoffFailed) out.get(0).getPayload();
        assertThat(failed.getReason()).isEqualTo("Internal Server Error");
        assertThat(failed.getOutboundEventId()).isEqualTo("out-1");
        assertThat(out.get(0).getSession().getConversationId()).isEqualTo(chat.conversationId);

        send(chat.message("ok, then you help me"));
        assertThat(agent.readValuesToList()).extracting(e -> e.getPayload().getClass().getSimpleName())
                .containsExactly("MessageReady");
    }

    @Test
    void deliveriesOfRepliesAndVoiceHandoffsAreIgnored() {
        Chat chat = new Chat(Channel.SMS);
        send(chat.message("hi"));
        agent.readValuesToList();
        DeliveryEvent reply = handoffDelivery(chat.conversationId, "out-1", DeliveryStatus.SENT, null, null);
        deliver(reply);
        DeliveryEvent voice = handoffDelivery(chat.conversationId, "out-2", DeliveryStatus.SENT, "{}", null);
        voice.setChannel(Channel.VOICE);
        deliver(voice);
        assertThat(agent.isEmpty()).isTrue();
        send(chat.message("still here"));
        assertThat(agent.readValuesToList()).hasSize(1);
    }

    private static DeliveryEvent handoffDelivery(String conversationId, String outboundEventId, DeliveryStatus status,
                                                 String handoffData, String error) {
        return DeliveryEvent.newBuilder().setEventId(EventIds.derived(outboundEventId, "delivery"))
                .setConversationId(conversationId).setOccurredAt(Instant.now()).setTraceId("trace")
                .setOutboundEventId(outboundEventId).setChannel(Channel.SMS).setStatus(status).setAttempts(1)
                .setErrorMessage(error).setHandoffData(handoffData).build();
    }

    private void deliver(DeliveryEvent delivery) {
        EventSerdes serdes = RouterConfig.fromEnv(Map.of(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:1",
                RouterConfig.STATE_DIR, stateDir.toString())).kafka().serdes();
        TestInputTopic<String, DeliveryEvent> deliveries = driver.createInputTopic(Topic.DELIVERY.topicName(),
                new StringSerializer(), serdes.forType(DeliveryEvent.class).serializer());
        deliveries.pipeInput(delivery.getConversationId(), delivery);
    }

    private void send(InboundEvent event) {
        inbound.pipeInput(event.getConversationId(), event);
    }

    private double count(String name, String tag, String value) {
        var counter = registry.find(name).tag(tag, value).counter();
        return counter == null ? 0 : counter.count();
    }
}
