package io.switchboard.launcher.tools;

import io.switchboard.kafka.KafkaClients;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code switchboard groups}: consumer-group lag, and resetting a stopped group to a point in time. */
@Command(name = "groups", mixinStandardHelpOptions = true,
        description = "Consumer-group tooling: lag per partition, reset a stopped group to a time.",
        subcommands = {GroupsCommand.Lag.class, GroupsCommand.Reset.class})
public final class GroupsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code groups lag [--group G]}. */
    @Command(name = "lag", mixinStandardHelpOptions = true,
            description = "Committed offset, end offset and lag per partition, for one group or every consumer group.")
    public static final class Lag implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        KafkaOptions kafka;

        @Option(names = "--group", paramLabel = "GROUP", description = "Only this group (default: every consumer group).")
        List<String> groups;

        @Override
        public Integer call() throws Exception {
            KafkaClients clients = kafka.clients();
            PrintWriter out = spec.commandLine().getOut();
            try (Admin admin = clients.admin("switchboard-groups")) {
                List<String> names = groups;
                if (names == null || names.isEmpty()) {
                    names = new ArrayList<>();
                    for (GroupListing g : admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get()) {
                        names.add(g.groupId());
                    }
                    names.sort(Comparator.naturalOrder());
                }
                out.printf("%-40s %-28s %9s %12s %12s %10s%n", "GROUP", "TOPIC", "PARTITION", "COMMITTED", "END", "LAG");
                for (String group : names) {
                    Map<TopicPartition, OffsetAndMetadata> committed = committed(admin, group);
                    Map<TopicPartition, Long> ends = offsets(admin, committed.keySet(), OffsetSpec.latest());
                    long total = 0;
                    for (TopicPartition tp : sorted(committed.keySet())) {
                        long end = ends.getOrDefault(tp, 0L);
                        long lag = Math.max(0, end - committed.get(tp).offset());
                        total += lag;
                        out.printf("%-40s %-28s %9d %12d %12d %10d%n", group, tp.topic(), tp.partition(),
                                committed.get(tp).offset(), end, lag);
                    }
                    out.printf("%-40s %-28s %9s %12s %12s %10d%n", group, "(total)", "", "", "", total);
                }
            }
            out.flush();
            return 0;
        }
    }

    /** {@code groups reset --group G --to-datetime T [--topic X] [--dry-run]}. */
    @Command(name = "reset", mixinStandardHelpOptions = true,
            description = {"Moves a consumer group's committed offsets to the first record at or after a time "
                    + "(the end of the partition when there is none). The group must be empty: stop its members first.",
                    "Topics: --topic, or every topic the group has committed offsets for."})
    public static final class Reset implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        KafkaOptions kafka;

        @Option(names = "--group", required = true, paramLabel = "GROUP", description = "The consumer group.")
        String group;

        @Option(names = "--to-datetime", required = true, converter = TimeArg.class, paramLabel = "TIME",
                description = "ISO instant, UTC date-time, epoch ms, or an age (15m, 2h, 3d).")
        Instant to;

        @Option(names = "--topic", paramLabel = "TOPIC", description = "Reset this topic's partitions (repeatable).")
        List<String> topics;

        @Option(names = "--dry-run", description = "Print the plan; change nothing.")
        boolean dryRun;

        @Override
        public Integer call() throws Exception {
            KafkaClients clients = kafka.clients();
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (Admin admin = clients.admin("switchboard-groups")) {
                ConsumerGroupDescription description =
                        admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                if (description != null && !description.members().isEmpty()) {
                    err.println("groups reset: group " + group + " has " + description.members().size()
                            + " active member(s) (state " + description.groupState()
                            + "); stop them before resetting its offsets");
                    err.flush();
                    return 2;
                }
                Map<TopicPartition, OffsetAndMetadata> committed = committed(admin, group);
                List<TopicPartition> partitions = new ArrayList<>();
                if (topics != null && !topics.isEmpty()) {
                    for (var entry : admin.describeTopics(topics).allTopicNames().get().entrySet()) {
                        for (TopicPartitionInfo info : entry.getValue().partitions()) {
                            partitions.add(new TopicPartition(entry.getKey(), info.partition()));
                        }
                    }
                } else {
                    partitions.addAll(committed.keySet());
                }
                if (partitions.isEmpty()) {
                    err.println("groups reset: group " + group + " has no committed offsets; name the topics with --topic");
                    err.flush();
                    return 2;
                }
                Map<TopicPartition, Long> atTime = offsets(admin, partitions, OffsetSpec.forTimestamp(to.toEpochMilli()));
                Map<TopicPartition, Long> ends = offsets(admin, partitions, OffsetSpec.latest());
                Map<TopicPartition, OffsetAndMetadata> plan = new HashMap<>();
                out.printf("%-28s %9s %12s %12s%n", "TOPIC", "PARTITION", "CURRENT", "NEW");
                for (TopicPartition tp : sorted(partitions)) {
                    long target = atTime.getOrDefault(tp, -1L);
                    if (target < 0) {
                        target = ends.get(tp);
                    }
                    OffsetAndMetadata current = committed.get(tp);
                    out.printf("%-28s %9d %12s %12d%n", tp.topic(), tp.partition(),
                            current == null ? "-" : Long.toString(current.offset()), target);
                    plan.put(tp, new OffsetAndMetadata(target));
                }
                if (dryRun) {
                    out.println("dry run: group " + group + " unchanged");
                } else {
                    admin.alterConsumerGroupOffsets(group, plan).all().get();
                    out.println("group " + group + " reset to " + to + " on " + plan.size() + " partition(s)");
                }
            }
            out.flush();
            return 0;
        }
    }

    static Map<TopicPartition, OffsetAndMetadata> committed(Admin admin, String group)
            throws InterruptedException, ExecutionException {
        Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().forEach((tp, o) -> {
            if (o != null) {
                committed.put(tp, o);
            }
        });
        return committed;
    }

    static Map<TopicPartition, Long> offsets(Admin admin, Collection<TopicPartition> partitions, OffsetSpec spec)
            throws InterruptedException, ExecutionException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, Long> result = new HashMap<>();
        if (request.isEmpty()) {
            return result;
        }
        Map<TopicPartition, ListOffsetsResultInfo> infos = admin.listOffsets(request).all().get();
        infos.forEach((tp, info) -> result.put(tp, info.offset()));
        return result;
    }

    private static List<TopicPartition> sorted(Collection<TopicPartition> partitions) {
        List<TopicPartition> list = new ArrayList<>(partitions);
        list.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
        return list;
    }

}
