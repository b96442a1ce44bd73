package io.switchboard.topics;

import io.switchboard.config.KafkaSettings;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the catalog's topics that are missing and verifies those that exist, at service start. A broker that
 * cannot be reached fails the start with a message naming the bootstrap servers.
 */
public final class TopicProvisioner {
    private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);

    private final Admin admin;
    private final KafkaSettings settings;
    private final long timeoutMs;

    public TopicProvisioner(Admin admin, KafkaSettings settings, long timeoutMs) {
        this.admin = admin;
        this.settings = settings;
        this.timeoutMs = timeoutMs;
    }

    /** Makes sure every topic in the catalog exists with at least the partitions it needs. */
    public void provision() {
        provision(List.of(Topic.values()));
    }

    public void provision(Collection<Topic> topics) {
        Set<String> existing = call(() -> admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS));
        List<NewTopic> missing = new ArrayList<>();
        for (Topic topic : topics) {
            if (!existing.contains(topic.topicName())) {
                missing.add(settings.newTopic(topic.topicName(), partitionsOf(topic), topic.configs()));
            }
        }
        if (!missing.isEmpty()) {
            try {
                admin.createTopics(missing).all().get(timeoutMs, TimeUnit.MILLISECONDS);
                log.info("Created topics {}", missing.stream().map(NewTopic::name).toList());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) { // another service won the race: fine
                    throw unreachable(e.getCause());
                }
            } catch (InterruptedException | TimeoutException e) {
                throw unreachable(e);
            }
        }
        verify(topics);
    }

    private void verify(Collection<Topic> topics) {
        Map<String, TopicDescription> descriptions = describe(topics);
        if (descriptions.get(Topic.VOICE_EGRESS.topicName()) != null) {
            int egress = descriptions.get(Topic.VOICE_EGRESS.topicName()).partitions().size();
            if (egress < settings.voiceEgressPartitions()) {
                log.warn("{} has {} partitions but {}={}: ingress instances numbered {} and above cannot hold calls",
                        Topic.VOICE_EGRESS.topicName(), egress, KafkaSettings.VOICE_EGRESS_PARTITIONS,
                        settings.voiceEgressPartitions(), egress);
            }
        }
    }

    /**
     * Describes the topics; a topic created a moment ago may not have reached the broker's metadata yet
     * (UnknownTopicOrPartition), so that answer is retried until the timeout.
     */
    private Map<String, TopicDescription> describe(Collection<Topic> topics) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (true) {
            try {
                return admin.describeTopics(topics.stream().map(Topic::topicName).toList()).allTopicNames()
                        .get(timeoutMs, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
                        || System.currentTimeMillis() > deadline) {
                    throw unreachable(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw unreachable(e);
            } catch (TimeoutException e) {
                throw unreachable(e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw unreachable(e);
            }
        }
    }

    int partitionsOf(Topic topic) {
        return topic == Topic.VOICE_EGRESS ? settings.voiceEgressPartitions() : settings.topicPartitions();
    }

    private <T> T call(KafkaCall<T> call) {
        try {
            return call.get();
        } catch (ExecutionException e) {
            throw unreachable(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unreachable(e);
        } catch (TimeoutException e) {
            throw unreachable(e);
        }
    }

    private KafkaUnavailableException unreachable(Throwable cause) {
        return new KafkaUnavailableException("Kafka is not reachable at " + KafkaSettings.BOOTSTRAP_SERVERS + "="
                + settings.bootstrapServers() + " (" + cause + ")", cause);
    }

    @FunctionalInterface
    private interface KafkaCall<T> {
        T get() throws ExecutionException, InterruptedException, TimeoutException;
    }
}
