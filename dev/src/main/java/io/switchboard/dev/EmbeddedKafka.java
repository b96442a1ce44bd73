package io.switchboard.dev;

import io.switchboard.kafka.KraftNodeConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft Kafka (broker and controller in one process) on 127.0.0.1, keeping its data in a directory
 * that survives restarts: the directory is formatted (with a new cluster id, kept in {@code meta.properties}) only
 * the first time. Settings are frugal: one network thread, few I/O threads, a small log-cleaner buffer.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final String HOST = KraftNodeConfig.HOST;
    private static final int NODE_ID = 1;

    private final KafkaRaftServer server;
    private final Path logDir;
    private final int port;
    private final String clusterId;
    private final boolean formatted;
    private boolean closed;

    private EmbeddedKafka(KafkaRaftServer server, Path logDir, int port, String clusterId, boolean formatted) {
        this.server = server;
        this.logDir = logDir;
        this.port = port;
        this.clusterId = clusterId;
        this.formatted = formatted;
    }

    /**
     * Starts the broker with its data under {@code logDir}, listening on {@code port} (0: any free port). Returns
     * once the broker accepts clients.
     */
    public static EmbeddedKafka start(Path logDir, int port) throws Exception {
        Path dir = logDir.toAbsolutePath().normalize();
        Files.createDirectories(dir);
        int brokerPort = port == 0 ? freePort() : requireFree(port);
        // The controller's port is not persisted with a static voter set, so any free one will do at each start —
        // but not the broker's: asking the OS twice for a free port can give the same one twice.
        int controllerPort = freePort();
        while (controllerPort == brokerPort) {
            controllerPort = freePort();
        }
        boolean format = !Files.exists(dir.resolve("meta.properties"));
        if (format) {
            new Formatter()
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName("CONTROLLER")
                    .setHasDynamicQuorum(false)
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .addDirectory(dir.toString())
                    .run();
            log.info("Formatted new Kafka storage in {}", dir);
        }
        KafkaRaftServer server = new KafkaRaftServer(
                KafkaConfig.fromProps(config(dir, brokerPort, controllerPort)), Time.SYSTEM);
        try {
            server.startup();
        } catch (Exception | Error e) {
            try {
                server.shutdown();
                server.awaitShutdown();
            } catch (Exception | Error ignored) {
                // the start failure is the one to report
            }
            throw new IllegalStateException("The embedded Kafka broker did not start (data in " + dir + "): " + e, e);
        }
        return new EmbeddedKafka(server, dir, brokerPort, readClusterId(dir), format);
    }

    static Properties config(Path dir, int brokerPort, int controllerPort) {
        // One node: internal topics with one replica, and fewer partitions than a production cluster needs.
        Properties p = KraftNodeConfig.of(NODE_ID, NODE_ID + "@" + HOST + ":" + controllerPort, brokerPort,
                controllerPort, dir, 1, 1, 10);
        p.setProperty("log.flush.offset.checkpoint.interval.ms", "10000");
        return p;
    }

    /** Address for clients: {@code 127.0.0.1:port}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    public String clusterId() {
        return clusterId;
    }

    public Path logDir() {
        return logDir;
    }

    /** Whether this start formatted a new, empty storage directory (the first start on it). */
    public boolean freshlyFormatted() {
        return formatted;
    }

    /** Stops the broker and waits until its data is flushed; may be called twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.shutdown();
        server.awaitShutdown();
    }

    private static String readClusterId(Path dir) throws IOException {
        Properties meta = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve("meta.properties"))) {
            meta.load(in);
        }
        return meta.getProperty("cluster.id");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
    }

    private static int requireFree(int port) throws IOException {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (BindException e) {
            throw new IllegalStateException("Port " + port + " on " + HOST + " is in use (another Kafka, or "
                    + "`switchboard dev` already running?); choose another with --kafka-port", e);
        }
    }
}
