package io.switchboard.outbound;

import static io.switchboard.outbound.OutboundFixture.await;
import static io.switchboard.outbound.OutboundFixture.conversationId;
import static io.switchboard.outbound.OutboundFixture.messagingSession;
import static io.switchboard.outbound.OutboundFixture.produce;
import static io.switchboard.outbound.OutboundFixture.reply;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.events.Channel;
import io.switchboard.events.DeliveryEvent;
import io.switchboard.events.DeliveryStatus;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Source;
import io.switchboard.ids.EventIds;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.topics.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** A slow Twilio: the sender pauses its partitions instead of queueing work without bound, and loses nothing. */
class OutboundBackpressureTest {
    private static final int MAX_IN_FLIGHT = 6;

    @Test
    void slowTwilioKeepsInFlightWorkBoundedAndEveryReplyIsSentOnce() throws Exception {
        String group = "outbound-backpressure-" + EventIds.random();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (FakeTwilioApi twilio = FakeTwilioApi.start()) {
            twilio.respondAlways("/Actions$", FakeTwilioApi.Reply.delayed(Duration.ofMillis(150)));
            Map<String, String> env = new java.util.HashMap<>(OutboundFixture.env(twilio, group));
            env.put(OutboundConfig.MAX_IN_FLIGHT, Integer.toString(MAX_IN_FLIGHT));
            OutboundService service = new OutboundService(OutboundConfig.fromEnv(env), meters);
            try {
                service.start();
                assertThat(service.awaitAssignment(Duration.ofSeconds(30))).isTrue();
                Gauge inFlight = meters.get("switchboard.consumer.in.flight").tag("consumer", "outbound").gauge();
                AtomicInteger highest = new AtomicInteger();
                Thread sampler = new Thread(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        highest.accumulateAndGet((int) inFlight.value(), Math::max);
                        try {
                            Thread.sleep(2);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                sampler.start();

                List<OutboundEvent> events = new ArrayList<>();
                List<String> conversations = new ArrayList<>();
                for (int c = 0; c < 12; c++) {
                    conversations.add(conversationId("conv_conversation"));
                }
                for (int n = 0; n < 4; n++) {
                    for (String id : conversations) {
                        OutboundEvent event = reply(messagingSession(id, Channel.SMS, Source.ORCHESTRATOR)
                                .setAgentParticipantId("conv_participant_agent")
                                .setCustomerParticipantId("conv_participant_customer").setChannelId("SM" + id).build(),
                                EventIds.random(), "Reply " + n, -1);
                        events.add(event);
                        produce(event);
                    }
                }
                Set<String> ids = events.stream().map(OutboundEvent::getEventId).collect(Collectors.toSet());
                List<ConsumerRecord<String, DeliveryEvent>> deliveries = await(Topic.DELIVERY,
                        r -> ids.contains(r.value().getOutboundEventId()), events.size(), Duration.ofSeconds(60));
                sampler.interrupt();
                sampler.join();

                assertThat(deliveries).hasSize(events.size())
                        .allSatisfy(d -> assertThat(d.value().getStatus()).isEqualTo(DeliveryStatus.SENT));
                assertThat(deliveries.stream().map(d -> d.value().getOutboundEventId()).distinct()).hasSize(events.size());
                for (String id : conversations) {
                    assertThat(twilio.requests(id).stream().map(r -> r.json().at("/payload/content/text").asText()))
                            .as("conversation %s: each reply once, in order", id)
                            .containsExactly("Reply 0", "Reply 1", "Reply 2", "Reply 3");
                }
                assertThat(highest.get()).as("records in flight at most").isLessThanOrEqualTo(MAX_IN_FLIGHT)
                        .as("the bound was reached, so the pause was exercised").isGreaterThanOrEqualTo(MAX_IN_FLIGHT / 2);
            } finally {
                service.close();
            }
        }
    }
}
