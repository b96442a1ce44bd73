package io.switchboard.launcher.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.events.AgentEvent;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.agent.MessageReady;
import io.switchboard.ids.EventIds;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.topics.Topic;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code switchboard replay}: re-drives recorded agent events (tac.agent.v1) into an agent.
 *
 * <ul>
 *   <li>{@code --shadow}: copies them to a shadow agent topic ({@code tac.agent.<name>.v1}, created with the live
 *   topic's partition count, so each conversation keeps its partition). The agent under test consumes it with a group
 *   of its own and writes to {@code tac.outbound.<name>.v1}, which no Switchboard service reads, so nothing reaches a
 *   customer. The command then waits for the shadow replies and prints original vs shadow per turn (word diff,
 *   latency from the agent event's record time to the reply's first and last record).</li>
 *   <li>otherwise (recovery): appends them to tac.agent.v1 again, same key and partition, so the live agent answers
 *   a window it missed. Its replies carry the same deterministic ids ({@code EventIds.derived(agentEventId, "out",
 *   n)}), so outbound-sender drops what it had already sent (its sent-id ledger, rebuilt from tac.delivery.v1).</li>
 * </ul>
 *
 * Copies carry the headers {@code switchboard-replay-run} and {@code switchboard-replay-of} (topic/partition/offset of
 * the original); records that are themselves copies are never selected again.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Re-drives recorded agent events (tac.agent.v1) for one conversation, a time range or the whole "
                + "topic: into a shadow topic set with --shadow (then a report of original vs shadow replies), or into "
                + "tac.agent.v1 again to recover a failed window (outbound-sender drops replies already sent)."})
public final class ReplayCommand implements Callable<Integer> {
    static final String RUN_HEADER = "switchboard-replay-run";
    static final String SOURCE_HEADER = "switchboard-replay-of";

    enum Format { text, json }

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    Selection selection;

    @Option(names = "--shadow", description = "Re-drive into the shadow topic set, not the live path.")
    boolean shadow;

    @Option(names = "--shadow-name", defaultValue = "shadow", paramLabel = "NAME",
            description = "Shadow topics tac.agent.NAME.v1 and tac.outbound.NAME.v1 (default: ${DEFAULT-VALUE}).")
    String shadowName;

    @Option(names = "--wait", defaultValue = "PT60S", paramLabel = "DURATION",
            description = "Shadow: how long to wait for the shadow agent's replies (ISO-8601, default ${DEFAULT-VALUE}).")
    Duration wait;

    @Option(names = "--reply-grace", defaultValue = "PT5M", paramLabel = "DURATION",
            description = "Shadow: original replies are looked for up to this long after --until (default ${DEFAULT-VALUE}).")
    Duration replyGrace;

    @Option(names = "--format", defaultValue = "text", description = "Report format: text or json (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--dry-run", description = "Select and count; write nothing.")
    boolean dryRun;

    /** A selected MessageReady: a turn of the report. */
    record Turn(String agentEventId, String conversationId, long turn, String channel, String prompt,
                Instant originalAt, int partition) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!selection.given("replay", err)) {
            err.flush();
            return 2;
        }
        KafkaClients clients = kafka.clients();
        String runId = EventIds.random();
        String agentTopic = Topic.AGENT.topicName();
        String target = shadow ? shadowAgentTopic(shadowName) : agentTopic;
        String shadowOutbound = shadowOutboundTopic(shadowName);
        Map<Integer, Long> shadowOutboundStart = Map.of();
        try (Admin admin = clients.admin("switchboard-replay");
             TopicReader reader = new TopicReader(clients, "switchboard-replay");
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(clients.producerConfig("switchboard-replay"),
                     new StringSerializer(), new ByteArraySerializer())) {
            int partitions = reader.partitionCount(agentTopic);
            if (shadow && !dryRun) {
                ensureTopic(admin, clients, target, partitions, Topic.AGENT);
                ensureTopic(admin, clients, shadowOutbound, reader.partitionCount(Topic.OUTBOUND.topicName()),
                        Topic.OUTBOUND);
                shadowOutboundStart = endOffsets(admin, shadowOutbound);
            }
            Deserializer<AgentEvent> agentEvents = clients.serdes().forType(AgentEvent.class).deserializer();
            List<Turn> turns = new ArrayList<>();
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            Map<String, Future<RecordMetadata>> sendOf = new HashMap<>();
            Set<String> conversations = new HashSet<>();
            long[] selectedCount = {0};
            String conversationId = selection.conversationId;
            List<Integer> only = conversationId == null ? null
                    : List.of(TopicReader.partitionOf(conversationId, partitions));
            reader.read(agentTopic, only, selection.since, selection.until,
                    conversationId == null ? null : conversationId::equals,
                    record -> {
                        if (record.headers().lastHeader(SOURCE_HEADER) != null) {
                            return;
                        }
                        conversations.add(record.key());
                        selectedCount[0]++;
                        AgentEvent event = decode(agentEvents, record);
                        Future<RecordMetadata> sent = dryRun ? null : producer.send(copy(record, target, runId));
                        if (sent != null) {
                            sends.add(sent);
                        }
                        if (event != null && event.getPayload() instanceof MessageReady ready) {
                            turns.add(new Turn(event.getEventId(), event.getConversationId(), ready.getTurn(),
                                    event.getSession().getChannel().name(), ready.getText(),
                                    Instant.ofEpochMilli(record.timestamp()), record.partition()));
                            if (sent != null) {
                                sendOf.put(event.getEventId(), sent);
                            }
                        }
                    });
            producer.flush();
            for (Future<RecordMetadata> f : sends) {
                f.get();
            }
            err.println("replay: " + (dryRun ? "would re-drive " : "re-drove ") + selectedCount[0] + " agent event(s) ("
                    + turns.size() + " message(s)) of " + conversations.size() + " conversation(s) into " + target
                    + " (run " + runId + "; " + reader.recordsRead() + " records read)");
            err.flush();
            if (!shadow || dryRun) {
                return 0;
            }
            Map<String, Instant> shadowSentAt = new HashMap<>();
            for (Map.Entry<String, Future<RecordMetadata>> e : sendOf.entrySet()) {
                shadowSentAt.put(e.getKey(), Instant.ofEpochMilli(e.getValue().get().timestamp()));
            }
            Map<String, Replies> shadowReplies = ShadowReplies.await(clients, shadowOutbound, shadowOutboundStart,
                    shadowSentAt.keySet(), wait);
            Map<String, Replies> originals = new HashMap<>();
            Set<String> wanted = new HashSet<>(shadowSentAt.keySet());
            Deserializer<OutboundEvent> outbound = clients.serdes().forType(OutboundEvent.class).deserializer();
            Instant originalsUntil = selection.until == null ? null : selection.until.plus(replyGrace);
            reader.read(Topic.OUTBOUND.topicName(), only, selection.since, originalsUntil, null, record -> {
                OutboundEvent event = decodeOutbound(outbound, record);
                if (event != null && event.getInReplyTo() != null && wanted.contains(event.getInReplyTo())) {
                    Replies.add(originals, event, record.timestamp());
                }
            });
            ShadowReport report = new ShadowReport(runId, target, shadowOutbound, turns, shadowSentAt, originals,
                    shadowReplies);
            if (format == Format.json) {
                ObjectNode json = report.toJson();
                out.println(Transcript.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
            } else {
                out.print(report.toText());
            }
            out.flush();
            return 0;
        }
    }

    static String shadowAgentTopic(String name) {
        return "tac.agent." + name + ".v1";
    }

    static String shadowOutboundTopic(String name) {
        return "tac.outbound." + name + ".v1";
    }

    private static ProducerRecord<String, byte[]> copy(ConsumerRecord<String, byte[]> record, String target, String runId) {
        ProducerRecord<String, byte[]> copy = new ProducerRecord<>(target, record.partition(), record.key(), record.value());
        for (Header h : record.headers()) {
            copy.headers().add(h);
        }
        copy.headers().add(RUN_HEADER, runId.getBytes(StandardCharsets.UTF_8));
        copy.headers().add(SOURCE_HEADER, (record.topic() + "/" + record.partition() + "/" + record.offset())
                .getBytes(StandardCharsets.UTF_8));
        return copy;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static AgentEvent decode(Deserializer<AgentEvent> deserializer, ConsumerRecord<String, byte[]> record) {
        return (AgentEvent) ConversationRecords.decode((Deserializer<SpecificRecord>) (Deserializer) deserializer, record);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static OutboundEvent decodeOutbound(Deserializer<OutboundEvent> deserializer,
                                                ConsumerRecord<String, byte[]> record) {
        return (OutboundEvent) ConversationRecords.decode((Deserializer<SpecificRecord>) (Deserializer) deserializer,
                record);
    }

    /** Creates a shadow topic like its live one; an existing one must have the same partition count. */
    private static void ensureTopic(Admin admin, KafkaClients clients, String name, int partitions, Topic like)
            throws InterruptedException, ExecutionException {
        NewTopic topic = clients.settings().newTopic(name, partitions, like.configs());
        try {
            admin.createTopics(List.of(topic)).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
            int existing = admin.describeTopics(List.of(name)).allTopicNames().get().get(name).partitions().size();
            if (existing != partitions) {
                throw new IllegalStateException(name + " has " + existing + " partitions, " + like.topicName()
                        + " has " + partitions + ": conversations would move partitions; delete " + name);
            }
        }
    }

    /** End offsets per partition; a topic just created may take a moment to be served by every broker. */
    private static Map<Integer, Long> endOffsets(Admin admin, String topic) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                return endOffsetsOnce(admin, topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException)
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static Map<Integer, Long> endOffsetsOnce(Admin admin, String topic) throws Exception {
        int count = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            tps.add(new TopicPartition(topic, p));
        }
        Map<Integer, Long> ends = new LinkedHashMap<>();
        GroupsCommand.offsets(admin, tps, OffsetSpec.latest())
                .forEach((tp, offset) -> ends.put(tp.partition(), offset));
        return ends;
    }

    /** The replies to one agent event: text joined per reply id, first and last record time. */
    static final class Replies {
        final Map<String, StringBuilder> texts = new LinkedHashMap<>();
        final Map<String, Boolean> complete = new HashMap<>();
        Instant first;
        Instant last;

        static void add(Map<String, Replies> byAgentEvent, OutboundEvent event, long timestamp) {
            if (!(event.getPayload() instanceof Reply reply)) {
                return;
            }
            Replies r = byAgentEvent.computeIfAbsent(event.getInReplyTo(), k -> new Replies());
            r.texts.computeIfAbsent(reply.getReplyId(), k -> new StringBuilder()).append(reply.getText());
            if (reply.getLast()) {
                r.complete.put(reply.getReplyId(), true);
            }
            Instant at = Instant.ofEpochMilli(timestamp);
            if (r.first == null || at.isBefore(r.first)) {
                r.first = at;
            }
            if (r.last == null || at.isAfter(r.last)) {
                r.last = at;
            }
        }

        boolean complete() {
            return !texts.isEmpty() && complete.size() == texts.size();
        }

        String text() {
            List<String> parts = new ArrayList<>();
            texts.values().forEach(t -> parts.add(t.toString()));
            return String.join("\n", parts);
        }
    }
}
