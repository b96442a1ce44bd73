package io.switchboard.agent;

import io.switchboard.ids.RecentIds;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Recognises a second copy of an agent event: the same event id at another offset. Agents read tac.agent.v1
 * uncommitted (see {@link AgentConfig#ISOLATION_LEVEL}), so a router transaction that aborts and is replayed shows
 * its events twice, with the same ids. The first copy wins; a record seen again at its own offset (redelivered after
 * a rebalance) is not a copy and is handled again, as at-least-once delivery requires.
 */
final class Copies {
    private static final int REMEMBERED_EVENTS = 50_000;

    /** Event id → "partition:offset" of its first copy. */
    private final Map<String, String> first = RecentIds.boundedMap(REMEMBERED_EVENTS);

    boolean isCopy(ConsumerRecord<String, ?> record, String eventId) {
        String here = record.partition() + ":" + record.offset();
        String seen = first.putIfAbsent(eventId, here);
        return seen != null && !seen.equals(here);
    }
}
