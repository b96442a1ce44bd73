package io.switchboard.bench;

import io.switchboard.config.KafkaSettings;
import io.switchboard.events.AgentEvent;
import io.switchboard.events.Channel;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.VoiceFrame;
import io.switchboard.events.agent.MessageReady;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.launcher.tools.TopicReader;
import io.switchboard.topics.Topic;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.HdrHistogram.Histogram;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Where a turn's time goes inside the stack: the broker's append time of each record on its way, read back from the
 * topics after the run. The topics are switched to {@code LogAppendTime} before the load, so a record's timestamp is
 * when the broker wrote it (one clock for every hop; the router's output otherwise carries its input's time).
 *
 * <p>A turn is followed by ids, not by guessing: a message-ready on tac.agent.v1 names its inbound event
 * ({@code messageId}), a reply names its agent event ({@code inReplyTo}), a voice frame carries its reply's event id.
 * A hop's time includes everything between the two appends: the reader's fetch, its work, the wait for a commit that
 * makes the record visible to read_committed readers, and the write.
 */
final class Hops {
    private static final List<Topic> TOPICS = List.of(Topic.INBOUND, Topic.AGENT, Topic.OUTBOUND, Topic.VOICE_EGRESS);
    private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(10);

    /** Per channel kind (voice / messaging): one histogram per hop, in milliseconds × 1000. */
    private final Map<String, Histogram> hops = new java.util.LinkedHashMap<>();

    private static final String ROUTER = "tac.inbound → tac.agent (router)";
    private static final String AGENT = "tac.agent → first reply on tac.outbound (agent)";
    private static final String OUTBOUND = "tac.outbound → tac.voice.egress (outbound-sender)";

    private Hops() {
        for (String kind : List.of("voice", "messaging")) {
            for (String hop : List.of(ROUTER, AGENT, OUTBOUND)) {
                hops.put(kind + ": " + hop, new Histogram(MAX_MICROS, 3));
            }
        }
    }

    /** Makes the broker stamp the four topics of a turn with its append time. */
    static void stampAppendTime(Map<String, String> env) throws Exception {
        try (Admin admin = new KafkaClients(KafkaSettings.fromEnv(env)).admin("bench-hops")) {
            Map<ConfigResource, Collection<AlterConfigOp>> changes = new HashMap<>();
            for (Topic topic : TOPICS) {
                changes.put(new ConfigResource(ConfigResource.Type.TOPIC, topic.topicName()), List.of(new AlterConfigOp(
                        new ConfigEntry(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime"),
                        AlterConfigOp.OpType.SET)));
            }
            admin.incrementalAlterConfigs(changes).all().get(10, TimeUnit.SECONDS);
        }
    }

    /** Reads the topics and follows every turn whose inbound record was appended at or after {@code fromMillis}. */
    static Hops measure(Map<String, String> env, long fromMillis) {
        KafkaClients clients = new KafkaClients(KafkaSettings.fromEnv(env));
        Map<String, Stamped<InboundEvent>> inbound = new HashMap<>();
        Map<String, Stamped<AgentEvent>> agent = new HashMap<>();
        Map<String, Stamped<OutboundEvent>> firstReply = new HashMap<>();
        Map<String, Long> frames = new HashMap<>();
        read(clients, Topic.INBOUND, InboundEvent.class, (e, t) -> inbound.put(e.getEventId(), new Stamped<>(e, t)));
        read(clients, Topic.AGENT, AgentEvent.class, (e, t) -> {
            if (e.getPayload() instanceof MessageReady) {
                agent.put(e.getEventId(), new Stamped<>(e, t));
            }
        });
        read(clients, Topic.OUTBOUND, OutboundEvent.class, (e, t) -> {
            if (e.getInReplyTo() != null) {
                firstReply.merge(e.getInReplyTo(), new Stamped<>(e, t), (a, b) -> a.at <= b.at ? a : b);
            }
        });
        read(clients, Topic.VOICE_EGRESS, VoiceFrame.class, (e, t) -> frames.putIfAbsent(e.getEventId(), t));

        Hops result = new Hops();
        for (Stamped<AgentEvent> ready : agent.values()) {
            Stamped<InboundEvent> in = inbound.get(((MessageReady) ready.event.getPayload()).getMessageId());
            if (in == null || in.at < fromMillis) {
                continue;
            }
            String kind = ready.event.getSession().getChannel() == Channel.VOICE ? "voice" : "messaging";
            result.record(kind, ROUTER, ready.at - in.at);
            Stamped<OutboundEvent> reply = firstReply.get(ready.event.getEventId());
            if (reply == null) {
                continue;
            }
            result.record(kind, AGENT, reply.at - ready.at);
            Long frame = frames.get(reply.event.getEventId());
            if (frame != null) {
                result.record(kind, OUTBOUND, frame - reply.at);
            }
        }
        return result;
    }

    private void record(String kind, String hop, long millis) {
        hops.get(kind + ": " + hop).recordValue(Math.min(MAX_MICROS, Math.max(0, millis) * 1000));
    }

    /** How many turns of a kind ("voice", "messaging") were followed from tac.inbound to tac.agent. */
    long followed(String kind) {
        return hops.get(kind + ": " + ROUTER).getTotalCount();
    }

    /** How many of them were followed on to their first reply. */
    long answered(String kind) {
        return hops.get(kind + ": " + AGENT).getTotalCount();
    }

    String markdown() {
        if (hops.values().stream().allMatch(h -> h.getTotalCount() == 0)) {
            return "";
        }
        StringBuilder out = new StringBuilder("| inside the stack (broker append times, ms resolution) | turns | p50 | p99 | p99.9 |\n"
                + "|---|---|---|---|---|\n");
        hops.forEach((name, h) -> out.append(h.getTotalCount() == 0 ? "" : String.format(Locale.ROOT, "| %s | %d | %.0f ms | %.0f ms | %.0f ms |%n",
                name, h.getTotalCount(), h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                h.getValueAtPercentile(99.9) / 1000.0)));
        return out.toString();
    }

    private record Stamped<E>(E event, long at) {
    }

    /** Every record of {@code topic} up to its end when called (read_committed), with its append time. */
    private static <V extends SpecificRecord> void read(KafkaClients clients, Topic topic, Class<V> type,
            BiConsumer<V, Long> each) {
        Deserializer<V> values = clients.serdes().forType(type).deserializer();
        try (TopicReader reader = new TopicReader(clients, "bench-hops")) {
            reader.read(topic.topicName(), null, null, null, null, record -> {
                if (record.timestampType() != TimestampType.LOG_APPEND_TIME) {
                    return; // written before the switch
                }
                try {
                    each.accept(values.deserialize(record.topic(), record.value()), record.timestamp());
                } catch (RuntimeException e) {
                    // not an event of this type (a dead letter's copy, a test record): not a turn
                }
            });
        }
    }
}
