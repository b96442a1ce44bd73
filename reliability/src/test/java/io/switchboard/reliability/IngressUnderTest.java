package io.switchboard.reliability;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.ingress.IngressConfig;
import io.switchboard.ingress.IngressService;
import io.switchboard.localtwilio.TwilioSignatures;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.testkit.TestKafka;
import io.switchboard.topics.Topic;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One ingress instance on the shared test cluster (or a given one), a raw HTTP client that can send any bytes and headers, and a
 * counter of the records on tac.inbound.v1.
 */
final class IngressUnderTest implements AutoCloseable {
    static final String TOKEN = "rel-secret-auth-token-7f3a9c";
    static final String PUBLIC_DOMAIN = "switchboard.example.com";
    /** /ci-webhook is on, for this Conversation Intelligence configuration. */
    static final String CI_CONFIGURATION = "intelligence_configuration_hostile";

    static {
        // Lets a test set Host as a proxy or Twilio would.
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
    }

    final Vertx vertx = Vertx.vertx();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final IngressService service;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final KafkaConsumer<byte[], byte[]> counter;
    private final List<TopicPartition> written = new ArrayList<>();

    IngressUnderTest(Map<String, String> extra) throws Exception {
        this(TestKafka.bootstrapServers(), extra);
    }

    /** An ingress on another broker (one a test stops and restarts). */
    IngressUnderTest(String bootstrapServers, Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        env.put("TWILIO_ACCOUNT_SID", TwilioWebhooks.ACCOUNT_SID);
        env.put("TWILIO_AUTH_TOKEN", TOKEN);
        env.put("PORT", "0");
        env.put("INGRESS_INSTANCE_ID", "0");
        env.put("TWILIO_PHONE_NUMBER", TwilioWebhooks.AGENT_NUMBER);
        env.put("TWILIO_VOICE_PUBLIC_DOMAIN", PUBLIC_DOMAIN);
        env.put("CONVERSATION_INTELLIGENCE_CONFIGURATION_ID", CI_CONFIGURATION);
        env.putAll(extra);
        service = new IngressService(IngressConfig.fromEnv(env), vertx, meters);
        service.start();
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        counter = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        for (Topic topic : List.of(Topic.INBOUND, Topic.INTELLIGENCE)) {
            for (PartitionInfo p : counter.partitionsFor(topic.topicName())) {
                written.add(new TopicPartition(p.topic(), p.partition()));
            }
        }
        counter.assign(written);
    }

    int port() {
        return service.port();
    }

    String base() {
        return "http://127.0.0.1:" + port();
    }

    /**
     * Records the ingress wrote so far: tac.inbound.v1 and tac.ci.v1, all partitions (its producers are idempotent,
     * not transactional, so the end offsets count records).
     */
    synchronized long producedRecords() {
        return counter.endOffsets(written).values().stream().mapToLong(Long::longValue).sum();
    }

    record Answer(int status, String body) {
    }

    Answer post(String pathAndQuery, String contentType, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + pathAndQuery))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (java.io.IOException e) {
            // The server may close the connection on an oversized body after answering: report it as a reset.
            return new Answer(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A JSON body signed as Twilio signs it: {@code ?bodySHA256=} over the raw bytes, signature over the URL. */
    Answer postSignedJson(String path, byte[] body) {
        String hash = sha256Hex(body);
        String pathWithHash = path + (path.contains("?") ? "&" : "?") + "bodySHA256=" + hash;
        String signature = TwilioSignatures.signJson(TOKEN, base() + pathWithHash);
        return post(pathWithHash, "application/json", body, Map.of("X-Twilio-Signature", signature));
    }

    /** A form signed over the URL and {@code signedParams}; the body sent is {@code body} (may differ). */
    Answer postSignedForm(String path, Map<String, String> signedParams, byte[] body) {
        String signature = TwilioSignatures.sign(TOKEN, base() + path, signedParams);
        return post(path, "application/x-www-form-urlencoded", body, Map.of("X-Twilio-Signature", signature));
    }

    static String sha256Hex(byte[] body) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(body);
            StringBuilder hex = new StringBuilder();
            for (byte b : digest) {
                hex.append(String.format("%02x", b));
            }
            return hex.toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        counter.close();
        service.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
