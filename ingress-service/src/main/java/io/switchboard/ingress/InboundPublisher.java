package io.switchboard.ingress;

import io.switchboard.events.InboundEvent;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.topics.Topic;
import io.vertx.core.Vertx;
import java.time.Duration;

/** Writes inbound events to tac.inbound.v1, keyed by conversation id, counted by payload type. */
public final class InboundPublisher extends EventPublisher<InboundEvent> {
    public InboundPublisher(Vertx vertx, KafkaClients clients, String clientId, Duration timeout, WebhookLimit webhooks,
            IngressMetrics metrics) {
        super(vertx, clients, clientId, Topic.INBOUND, InboundEvent::getConversationId,
                event -> event.getPayload().getClass().getSimpleName(), timeout, webhooks, metrics);
    }
}
