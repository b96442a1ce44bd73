package io.switchboard.dev.simulator;

import io.switchboard.config.KafkaSettings;
import io.switchboard.events.AgentEvent;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.agent.MessageReady;
import io.switchboard.ids.EventIds;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.launcher.ServiceDefinition;
import io.switchboard.service.ManagedService;
import io.switchboard.topics.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Until the agent SDK's echo agent is part of {@code dev}, the browser test runs this stand-in on the real topics:
 * it reads {@code tac.agent.v1} and answers each message on {@code tac.outbound.v1} as the CONTRACTS say an agent
 * does — a whole reply for messaging, streamed tokens (one per word) for voice — echoing the customer's text.
 * Replace it with the real echo agent's {@link ServiceDefinition} once that is merged.
 */
final class StandInEchoAgent implements ManagedService {
    static final ServiceDefinition DEFINITION = new ServiceDefinition("agent", "test stand-in echo agent",
            context -> new StandInEchoAgent(KafkaSettings.fromEnv(context.env())));

    private final KafkaClients clients;
    private KafkaConsumer<String, AgentEvent> consumer;
    private KafkaProducer<String, OutboundEvent> producer;
    private Thread thread;
    private volatile boolean running;

    StandInEchoAgent(KafkaSettings settings) {
        this.clients = new KafkaClients(settings);
    }

    @Override
    public String name() {
        return "stand-in-echo-agent";
    }

    @Override
    public void start() {
        consumer = clients.consumer("stand-in-echo-agent", "stand-in-echo-agent", Topic.AGENT);
        producer = clients.producer("stand-in-echo-agent", OutboundEvent.class);
        consumer.subscribe(List.of(Topic.AGENT.topicName()));
        running = true;
        thread = new Thread(this::run, "stand-in-echo-agent");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, AgentEvent> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value().getPayload() instanceof MessageReady message) {
                        answer(record.value(), message);
                    }
                }
                consumer.commitSync();
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    private void answer(AgentEvent event, MessageReady message) {
        String text = "Echo: " + message.getText();
        boolean voice = "VOICE".equals(event.getSession().getChannel().name());
        List<String> tokens = voice ? List.of(text.split("(?<= )")) : List.of(text);
        String replyId = EventIds.derived(event.getEventId(), "reply");
        for (int i = 0; i < tokens.size(); i++) {
            OutboundEvent out = OutboundEvent.newBuilder()
                    .setEventId(EventIds.derived(event.getEventId(), "out", Integer.toString(i)))
                    .setConversationId(event.getConversationId())
                    .setOccurredAt(Instant.now())
                    .setTraceId(event.getTraceId())
                    .setInReplyTo(event.getEventId())
                    .setTurn(message.getTurn())
                    .setSession(event.getSession())
                    .setPayload(Reply.newBuilder().setReplyId(replyId).setSequence(i).setText(tokens.get(i))
                            .setLast(i == tokens.size() - 1).build())
                    .build();
            producer.send(new ProducerRecord<>(Topic.OUTBOUND.topicName(), event.getConversationId(), out));
        }
        producer.flush();
    }

    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
