package io.switchboard.ingress;

import io.switchboard.events.InboundEvent;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.topics.Topic;
import io.switchboard.tracing.Tracing;
import io.vertx.core.Vertx;
import java.time.Duration;

/** Writes inbound events to tac.inbound.v1, keyed by conversation id, counted by payload type. */
public final class InboundPublisher extends EventPublisher<InboundEvent> {
    public InboundPublisher(Vertx vertx, KafkaClients clients, String clientId, Duration timeout, WebhookLimit webhooks,
            IngressMetrics metrics) {
        this(vertx, clients, clientId, timeout, webhooks, metrics, Tracing.OFF);
    }

    public InboundPublisher(Vertx vertx, KafkaClients clients, String clientId, Duration timeout, WebhookLimit webhooks,
            IngressMetrics metrics, Tracing tracing) {
        this(vertx, clients, clientId, timeout, requestTimeoutFor(timeout), webhooks, metrics, tracing);
    }

    /** {@code timeout} bounds an event, {@code requestTimeout} one request to a broker. */
    public InboundPublisher(Vertx vertx, KafkaClients clients, String clientId, Duration timeout,
            Duration requestTimeout, WebhookLimit webhooks, IngressMetrics metrics, Tracing tracing) {
        super(vertx, clients, clientId, Topic.INBOUND, InboundEvent::getConversationId,
                event -> event.getPayload().getClass().getSimpleName(), timeout, requestTimeout, webhooks, metrics,
                tracing);
    }
}
