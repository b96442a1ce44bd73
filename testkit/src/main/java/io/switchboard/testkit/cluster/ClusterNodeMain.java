package io.switchboard.testkit.cluster;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * One node of {@link ThreeBrokerCluster} in its own JVM: a combined KRaft broker and controller, so that a test can
 * kill -9 exactly one broker. Arguments: a properties file (the node's whole configuration) and the cluster id. The
 * log directory is formatted on the first start only; a restarted node comes back with its data. SIGTERM shuts the
 * node down as a broker's stop script does (controlled shutdown: leadership moves before it leaves).
 */
public final class ClusterNodeMain {
    private ClusterNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        Properties config = new Properties();
        try (var in = Files.newInputStream(Path.of(args[0]))) {
            config.load(in);
        }
        String clusterId = args[1];
        Path dir = Path.of(config.getProperty("log.dirs"));
        if (!Files.exists(dir.resolve("meta.properties"))) {
            Files.createDirectories(dir);
            new Formatter()
                    .setNodeId(Integer.parseInt(config.getProperty("node.id")))
                    .setClusterId(clusterId)
                    .setControllerListenerName("CONTROLLER")
                    .setHasDynamicQuorum(false)
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .addDirectory(dir.toString())
                    .run();
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(config), Time.SYSTEM);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            server.awaitShutdown();
        }, "cluster-node-shutdown"));
        server.startup();
        System.out.println("node " + config.getProperty("node.id") + " started");
        server.awaitShutdown();
    }
}
