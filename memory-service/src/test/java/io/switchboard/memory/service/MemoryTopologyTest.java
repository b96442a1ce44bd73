package io.switchboard.memory.service;

import static io.switchboard.memory.service.IntelligenceEvents.AGENT_PROFILE;
import static io.switchboard.memory.service.IntelligenceEvents.CREATED;
import static io.switchboard.memory.service.IntelligenceEvents.OBSERVATIONS;
import static io.switchboard.memory.service.IntelligenceEvents.OBSERVED;
import static io.switchboard.memory.service.IntelligenceEvents.SUMMARIES;
import static io.switchboard.memory.service.IntelligenceEvents.SUMMARISED;
import static io.switchboard.memory.service.IntelligenceEvents.id;
import static io.switchboard.memory.service.IntelligenceEvents.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.KafkaSettings;
import io.switchboard.events.Channel;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.IntelligenceEvent;
import io.switchboard.events.Memory;
import io.switchboard.events.Observation;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.PastCommunication;
import io.switchboard.events.Summary;
import io.switchboard.serde.EmbeddedAvroSerde;
import io.switchboard.serde.EventSerdes;
import io.switchboard.testkit.InternalTokens;
import io.switchboard.topics.Topic;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local memory's topology without a broker, in a {@link TopologyTestDriver} with the production Streams
 * properties: what the events of each topic leave in the stores that retrievals read ({@link MemoryQueries} reads
 * them the same way). Retrieval across instances, ranking and restarts are {@link LocalMemoryTest}'s, on a broker.
 */
class MemoryTopologyTest {
    private static final int BOUND = 5;
    private static final String PHONE = "+14155550100";
    private static final String CUSTOMER = "addr:" + PHONE;

    @TempDir
    Path stateDir;

    private final MemoryEvents events = new MemoryEvents();
    private TopologyTestDriver driver;
    private TestInputTopic<String, InboundEvent> inbound;
    private TestInputTopic<String, OutboundEvent> outbound;
    private TestInputTopic<String, Observation> observations;
    private TestInputTopic<String, IntelligenceEvent> intelligence;

    private MemoryConfig config(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(extra);
        env.put(KafkaSettings.BOOTSTRAP_SERVERS, "localhost:1");
        env.put(MemoryConfig.STATE_DIR, stateDir.toString());
        env.put(MemoryConfig.HISTORY_PER_CUSTOMER, String.valueOf(BOUND));
        return MemoryConfig.fromEnv(InternalTokens.with(env));
    }

    @BeforeEach
    void startDriver() {
        MemoryConfig config = config(Map.of(MemoryConfig.OBSERVATION_OPERATOR_SID, OBSERVATIONS,
                MemoryConfig.SUMMARY_OPERATOR_SID, SUMMARIES));
        EventSerdes serdes = config.kafka().serdes();
        driver = new TopologyTestDriver(MemoryTopology.build(config, serdes), LocalMemory.streamsProperties(config));
        inbound = driver.createInputTopic(Topic.INBOUND.topicName(), new StringSerializer(),
                serdes.forType(InboundEvent.class).serializer());
        outbound = driver.createInputTopic(Topic.OUTBOUND.topicName(), new StringSerializer(),
                serdes.forType(OutboundEvent.class).serializer());
        observations = driver.createInputTopic(MemoryService.OBSERVATIONS_TOPIC, new StringSerializer(),
                new EmbeddedAvroSerde<>(Observation.class).serializer());
        intelligence = driver.createInputTopic(Topic.INTELLIGENCE.topicName(), new StringSerializer(),
                serdes.forType(IntelligenceEvent.class).serializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    private void send(InboundEvent event) {
        inbound.pipeInput(event.getConversationId(), event);
    }

    private void send(OutboundEvent event) {
        outbound.pipeInput(event.getConversationId(), event);
    }

    private static Observation observation(String id, String content) {
        return Observation.newBuilder().setId(id).setContent(content).setCreatedAtMillis(System.currentTimeMillis()).build();
    }

    /** What a retrieval finds under one subject. */
    private Memory memory(String subject) {
        return MemoryItems.read(driver.<String, Memory>getKeyValueStore(MemoryItems.ITEMS_STORE), subject, BOUND);
    }

    private List<String> texts(String subject) {
        return memory(subject).getCommunications().stream().map(PastCommunication::getText).toList();
    }

    private List<String> links(String subject) {
        return CustomerLinks.read(driver.<String, Long>getKeyValueStore(CustomerLinks.STORE), subject);
    }

    /** Rows of the items store whose key starts with {@code prefix}. */
    private int itemRows(String prefix) {
        KeyValueStore<String, Memory> items = driver.getKeyValueStore(MemoryItems.ITEMS_STORE);
        try (KeyValueIterator<String, Memory> rows = items.prefixScan(prefix, Serdes.String().serializer())) {
            return count(rows);
        }
    }

    private int entries(String store) {
        try (KeyValueIterator<String, Object> rows = driver.<String, Object>getKeyValueStore(store).all()) {
            return count(rows);
        }
    }

    private static int count(KeyValueIterator<String, ?> rows) {
        int n = 0;
        for (; rows.hasNext(); rows.next()) {
            n++;
        }
        return n;
    }

    @Test
    void aCustomerMessageAndAStreamedAgentReplyBecomeOneHistoryOfTheCustomer() {
        String sms = "conv_sms";
        send(events.message(sms, Channel.SMS, PHONE, null, "My blender arrived broken"));
        send(events.reply(sms, Channel.SMS, PHONE, null, "reply-1", 0, "Sorry, ", false));
        send(events.reply(sms, Channel.SMS, PHONE, null, "reply-1", 1, "a replacement is on its way. ", false));
        assertThat(texts(CUSTOMER)).as("a streamed reply is remembered once it ends").containsExactly("My blender arrived broken");

        send(events.reply(sms, Channel.SMS, PHONE, null, "reply-1", 2, "", true));
        send(events.message("conv_wa", Channel.WHATSAPP, "whatsapp:" + PHONE, null, "Has it shipped?"));
        send(events.reply("conv_wa", Channel.WHATSAPP, "whatsapp:" + PHONE, null, "reply-2", 0, "Yes, today.", true));
        send(events.message("conv_other", Channel.SMS, "+14155550199", null, "Someone else entirely"));

        List<PastCommunication> history = memory(CUSTOMER).getCommunications();
        assertThat(history).extracting(PastCommunication::getText).containsExactly("My blender arrived broken",
                "Sorry, a replacement is on its way.", "Has it shipped?", "Yes, today.");
        assertThat(history).extracting(PastCommunication::getFromAgent).containsExactly(false, true, false, true);
        assertThat(history).extracting(PastCommunication::getChannel)
                .containsExactly(Channel.SMS, Channel.SMS, Channel.WHATSAPP, Channel.WHATSAPP);
        assertThat(history).extracting(PastCommunication::getAuthorAddress)
                .containsExactly(PHONE, MemoryEvents.BUSINESS, "whatsapp:" + PHONE, MemoryEvents.BUSINESS);
        assertThat(history.get(1).getId()).isEqualTo("reply-1");
        assertThat(texts("addr:+14155550199")).containsExactly("Someone else entirely");
        assertThat(entries(OutboundHistory.PARTIAL_REPLIES_STORE)).as("joined tokens are forgotten").isZero();
    }

    @Test
    void aFinalVoicePromptIsRememberedUnderTheCallerWhileTheCallRuns() {
        String call = "CA0001";
        send(events.prompt(call, "a prompt of a call not started", true));
        send(events.callStarted(call, PHONE, Map.of()));
        send(events.prompt(call, "I am calling about my", false));
        send(events.prompt(call, "  ", true));
        send(events.prompt(call, "I am calling about my replacement blender", true));
        send(events.callEnded(call));
        send(events.prompt(call, "a prompt after the end", true));

        List<PastCommunication> history = memory(CUSTOMER).getCommunications();
        assertThat(history).extracting(PastCommunication::getText).containsExactly("I am calling about my replacement blender");
        assertThat(history.get(0).getChannel()).isEqualTo(Channel.VOICE);
        assertThat(history.get(0).getAuthorAddress()).isEqualTo(PHONE);
        assertThat(history.get(0).getConversationId()).isEqualTo(call);
        assertThat(entries(InboundHistory.CALLERS_STORE)).as("the ended call's caller is forgotten").isZero();
    }

    @Test
    void aReplayedEventIsRememberedOnce() {
        InboundEvent message = events.message("conv_1", Channel.SMS, PHONE, null, "Where is my order?");
        send(message);
        send(message);
        Observation observation = observation("obs_1", "Prefers email");
        observations.pipeInput(CUSTOMER, observation);
        observations.pipeInput(CUSTOMER, observation);

        assertThat(texts(CUSTOMER)).containsExactly("Where is my order?");
        assertThat(memory(CUSTOMER).getObservations()).extracting(Observation::getContent).containsExactly("Prefers email");
    }

    @Test
    void eachCustomerKeepsTheNewestItemsUpToTheBoundOfEachKind() {
        observations.pipeInput(CUSTOMER, observation("obs_1", "Prefers email"));
        for (int i = 1; i <= BOUND + 1; i++) {
            send(events.message("conv_1", Channel.SMS, PHONE, null, "message " + i));
        }
        String communications = MemoryItems.prefix(CUSTOMER, MemoryItems.Kind.COMMUNICATION);
        // within the slack (a tenth, at least one) nothing is deleted yet, but a read leaves the oldest out
        assertThat(itemRows(communications)).isEqualTo(BOUND + 1);
        assertThat(texts(CUSTOMER)).containsExactly("message 2", "message 3", "message 4", "message 5", "message 6");

        send(events.message("conv_1", Channel.SMS, PHONE, null, "message 7"));
        assertThat(itemRows(communications)).isEqualTo(BOUND);
        assertThat(texts(CUSTOMER)).containsExactly("message 3", "message 4", "message 5", "message 6", "message 7");
        assertThat(memory(CUSTOMER).getObservations()).extracting(Observation::getContent).containsExactly("Prefers email");
    }

    @Test
    void eventsWithAProfileAndAnAddressLinkThemAsOneCustomer() {
        String profile = "profile:mem_profile_1";
        send(events.message("conv_chat", Channel.SMS, PHONE, "mem_profile_1", "Is my warranty still valid?"));
        send(events.message("conv_chat", Channel.SMS, PHONE, "mem_profile_1", "Hello?"));
        assertThat(links(profile)).containsExactly(CUSTOMER);
        assertThat(links(CUSTOMER)).containsExactly(profile);
        assertThat(texts(profile)).containsExactly("Is my warranty still valid?", "Hello?");
        assertThat(texts(CUSTOMER)).containsExactly("Is my warranty still valid?", "Hello?");

        // a call whose TwiML names the caller's profile, and a reply whose session knows the customer's profile
        send(events.callStarted("CA0002", "+14155550111", Map.of(CustomerLinks.PROFILE_ID_PARAMETER, "mem_profile_2")));
        send(events.reply("conv_3", Channel.SMS, "+14155550122", "mem_profile_3", "reply-3", 0, "Hello", true));
        assertThat(links("addr:+14155550111")).containsExactly("profile:mem_profile_2");
        assertThat(links("profile:mem_profile_3")).containsExactly("addr:+14155550122");
        assertThat(texts("profile:mem_profile_3")).containsExactly("Hello");

        send(events.message("conv_4", Channel.SMS, "+14155550133", null, "No profile known"));
        assertThat(links("addr:+14155550133")).isEmpty();
    }

    @Test
    void intelligenceResultsBecomeObservationsAndSummariesOfTheCustomersProfile() {
        String profile = "mem_profile_ci";
        IntelligenceEvent event = IntelligenceEvents.event("conv_ci",
                result(id("intelligence_operatorresult_"), OBSERVATIONS, OBSERVED, profile),
                result(id("intelligence_operatorresult_"), SUMMARIES, SUMMARISED, profile),
                result(id("intelligence_operatorresult_"), "LY_some_other_operator", "{\"payload\":\"ignored\"}", profile));
        intelligence.pipeInput(event.getConversationId(), event);
        intelligence.pipeInput(event.getConversationId(), event); // Twilio's retry, or a redelivery

        Memory memory = memory("profile:" + profile);
        assertThat(memory.getObservations()).extracting(Observation::getContent)
                .containsExactlyInAnyOrder("Prefers a call after 5pm", "Has two dogs");
        assertThat(memory.getObservations()).extracting(Observation::getCreatedAtMillis)
                .containsOnly(Instant.parse(CREATED).toEpochMilli());
        assertThat(memory.getSummaries()).extracting(Summary::getContent).containsExactly("Asked to move the delivery to Friday.");
        Memory agent = memory("profile:" + AGENT_PROFILE);
        assertThat(agent.getObservations()).as("only CUSTOMER participants are written for").isEmpty();
        assertThat(agent.getSummaries()).isEmpty();
    }

    @Test
    void withoutAnOperatorTheTopologyDoesNotReadIntelligence() {
        EventSerdes serdes = config(Map.of()).kafka().serdes();
        assertThat(MemoryTopology.build(config(Map.of()), serdes).describe().toString())
                .contains(Topic.INBOUND.topicName()).doesNotContain(Topic.INTELLIGENCE.topicName());
    }
}
