package io.switchboard.kafka;

import java.nio.file.Path;
import java.util.Properties;

/**
 * The server properties of a combined broker and controller KRaft node on loopback, sized for a small machine: dev's
 * embedded broker and the test clusters (one node in process, three as child JVMs) are built from these, each adding
 * what its shape needs. Production clusters are configured by their operators, not here.
 */
public final class KraftNodeConfig {
    public static final String HOST = "127.0.0.1";

    private KraftNodeConfig() {
    }

    /**
     * @param nodeId             this node's id
     * @param voters             the controller quorum, {@code id@host:port,...}
     * @param replicas           replicas of the internal topics (offsets, transactions, share state)
     * @param minInSync          their min ISR
     * @param internalPartitions partitions of the offsets and transaction topics: fewer than a production cluster's
     *                           50, so a small machine does not load a hundred partitions at start
     */
    public static Properties of(int nodeId, String voters, int brokerPort, int controllerPort, Path logDir,
            int replicas, int minInSync, int internalPartitions) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", Integer.toString(nodeId));
        p.setProperty("controller.quorum.voters", voters);
        p.setProperty("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("log.dirs", logDir.toString());
        p.setProperty("offsets.topic.replication.factor", Integer.toString(replicas));
        p.setProperty("offsets.topic.num.partitions", Integer.toString(internalPartitions));
        p.setProperty("transaction.state.log.replication.factor", Integer.toString(replicas));
        p.setProperty("transaction.state.log.min.isr", Integer.toString(minInSync));
        p.setProperty("transaction.state.log.num.partitions", Integer.toString(internalPartitions));
        p.setProperty("share.coordinator.state.topic.replication.factor", Integer.toString(replicas));
        p.setProperty("share.coordinator.state.topic.min.isr", Integer.toString(minInSync));
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // Topics come from Switchboard's catalog; a typo in a topic name should fail, not create a topic.
        p.setProperty("auto.create.topics.enable", "false");
        // Memory and threads: a laptop or a build machine shared with the services, not a data centre.
        p.setProperty("log.cleaner.dedupe.buffer.size", Long.toString(2L * 1024 * 1024));
        p.setProperty("log.cleaner.io.buffer.size", Integer.toString(128 * 1024));
        p.setProperty("log.cleaner.threads", "1");
        p.setProperty("num.network.threads", "1");
        p.setProperty("num.io.threads", "2");
        p.setProperty("background.threads", "2");
        p.setProperty("num.replica.fetchers", "1");
        p.setProperty("num.recovery.threads.per.data.dir", "1");
        return p;
    }
}
