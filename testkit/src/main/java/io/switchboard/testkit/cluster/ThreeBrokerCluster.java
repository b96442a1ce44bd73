package io.switchboard.testkit.cluster;

import io.switchboard.kafka.KraftNodeConfig;
import io.switchboard.testkit.FreePorts;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;

/**
 * A real three-node KRaft cluster on 127.0.0.1: each node a combined broker and controller ({@link ClusterNodeMain})
 * in its own child JVM, so one broker can be killed with SIGKILL while the others go on, which the in-process test
 * cluster cannot do. Each node keeps a fixed broker and controller port and its log directory across restarts, so a
 * restarted node returns at the same address with its data, as a broker of a real cluster does. Internal topics
 * (offsets, transactions) have three replicas and a min ISR of 2, as in production.
 *
 * <p>{@code tuning}: broker settings added to every node, e.g. a shorter {@code broker.session.timeout.ms}.
 */
public final class ThreeBrokerCluster implements AutoCloseable {
    public static final int NODES = 3;
    private static final String HOST = KraftNodeConfig.HOST;

    private final Path root;
    private final String clusterId = Uuid.randomUuid().toString();
    private final int[] brokerPorts = new int[NODES + 1];
    private final int[] controllerPorts = new int[NODES + 1];
    private final Process[] processes = new Process[NODES + 1];
    private final int[] starts = new int[NODES + 1];
    private final Map<String, String> tuning;
    private Admin admin;

    private ThreeBrokerCluster(Path root, Map<String, String> tuning) throws IOException {
        this.root = root;
        this.tuning = Map.copyOf(tuning);
        int[] ports = FreePorts.distinct(2 * NODES);
        for (int node = 1; node <= NODES; node++) {
            brokerPorts[node] = ports[2 * node - 2];
            controllerPorts[node] = ports[2 * node - 1];
        }
    }

    /** Starts the three nodes and returns once every broker is registered and serving. */
    public static ThreeBrokerCluster start(Path root, Map<String, String> tuning) throws Exception {
        ThreeBrokerCluster cluster = new ThreeBrokerCluster(root, tuning);
        for (int node = 1; node <= NODES; node++) {
            cluster.launch(node);
        }
        cluster.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000));
        cluster.awaitBrokers(List.of(1, 2, 3), Duration.ofSeconds(90));
        return cluster;
    }

    /** Every broker's address: clients reach the cluster through whichever is up. */
    public String bootstrapServers() {
        return IntStream.rangeClosed(1, NODES).mapToObj(n -> HOST + ":" + brokerPorts[n]).collect(Collectors.joining(","));
    }

    /** SIGKILL: no controlled shutdown, no flush; the controller fences the broker when its session times out. */
    public void kill(int node) throws InterruptedException {
        Process process = processes[node];
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM: controlled shutdown (its partitions' leadership moves first), as a rolling upgrade stops a broker. */
    public void stop(int node) throws InterruptedException {
        Process process = processes[node];
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /**
     * Starts stopped or killed nodes again (same ports, same data) and waits until each is registered and unfenced
     * again. Nodes that must come back together (two of three controllers away: no quorum) are given at once.
     */
    public void restart(int... nodes) throws Exception {
        for (int node : nodes) {
            launch(node);
        }
        awaitBrokers(Arrays.stream(nodes).boxed().toList(), Duration.ofSeconds(90));
    }

    public boolean isRunning(int node) {
        return processes[node] != null && processes[node].isAlive();
    }

    /** The broker leading a partition (-1 when it has none). */
    public int leaderOf(String topic, int partition) throws Exception {
        Node leader = describe(List.of(topic)).get(topic).partitions().get(partition).leader();
        return leader == null ? -1 : leader.id();
    }

    /** The active controller: the leader of the KRaft quorum. */
    public int activeController() throws Exception {
        return admin.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS).leaderId();
    }

    /**
     * The broker coordinating the ongoing transactions of the transactional ids starting with {@code prefix} (a
     * Kafka Streams application's ids start with its application id); -1 when none is known.
     */
    public int transactionCoordinator(String prefix) throws Exception {
        List<String> ids = admin.listTransactions().all().get(10, TimeUnit.SECONDS).stream()
                .map(TransactionListing::transactionalId).filter(id -> id.startsWith(prefix)).toList();
        if (ids.isEmpty()) {
            return -1;
        }
        return admin.describeTransactions(ids).all().get(10, TimeUnit.SECONDS).values().iterator().next()
                .coordinatorId();
    }

    /** Waits until every partition of the topics has all three replicas in sync (a restarted broker caught up). */
    public void awaitFullyReplicated(Collection<String> topics, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                boolean inSync = describe(topics).values().stream().flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.isr().size() == NODES && p.leader() != null);
                if (inSync) {
                    return;
                }
            } catch (Exception e) {
                // metadata moving: ask again
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("partitions of " + topics + " not fully replicated within " + timeout);
            }
            Thread.sleep(250);
        }
    }

    public Map<String, TopicDescription> describe(Collection<String> topics) throws Exception {
        return admin.describeTopics(topics).allTopicNames().get(15, TimeUnit.SECONDS);
    }

    public Admin admin() {
        return admin;
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
        for (int node = 1; node <= NODES; node++) {
            if (processes[node] != null) {
                processes[node].destroyForcibly();
            }
        }
    }

    private void awaitBrokers(List<Integer> nodes, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                List<Integer> serving = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).stream()
                        .map(Node::id).toList();
                if (serving.containsAll(nodes)) {
                    return;
                }
            } catch (Exception e) {
                // not up yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("brokers " + nodes + " not registered within " + timeout + "; logs in "
                        + root);
            }
            Thread.sleep(250);
        }
    }

    private void launch(int node) throws IOException {
        Path dir = root.resolve("node-" + node);
        Files.createDirectories(dir);
        Path config = dir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            config(node, dir.resolve("data")).store(out, "ThreeBrokerCluster node " + node);
        }
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx320m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath,
                ClusterNodeMain.class.getName(), config.toString(), clusterId));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("node-" + node + "-" + ++starts[node] + ".log").toFile());
        processes[node] = builder.start();
    }

    private Properties config(int node, Path data) {
        String voters = IntStream.rangeClosed(1, NODES).mapToObj(n -> n + "@" + HOST + ":" + controllerPorts[n])
                .collect(Collectors.joining(","));
        // Production's shape: three replicas of everything, two in sync for a write.
        Properties p = KraftNodeConfig.of(node, voters, brokerPorts[node], controllerPorts[node], data, 3, 2, 6);
        p.setProperty("default.replication.factor", "3");
        p.setProperty("min.insync.replicas", "2");
        tuning.forEach(p::setProperty);
        return p;
    }
}
