package io.switchboard.outbound;

import static io.switchboard.outbound.OutboundFixture.await;
import static io.switchboard.outbound.OutboundFixture.conversationId;
import static io.switchboard.outbound.OutboundFixture.messagingSession;
import static io.switchboard.outbound.OutboundFixture.produce;
import static io.switchboard.outbound.OutboundFixture.reply;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.events.Channel;
import io.switchboard.events.DeadLetter;
import io.switchboard.events.DeliveryEvent;
import io.switchboard.events.DeliveryStatus;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.Session;
import io.switchboard.events.Source;
import io.switchboard.events.VoiceFrame;
import io.switchboard.ids.EventIds;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.localtwilio.FakeTwilioApi.Recorded;
import io.switchboard.topics.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The outbound sender against a real broker and a fake Twilio API on loopback. */
class OutboundServiceTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String GROUP = "outbound-test-" + EventIds.random();
    private static FakeTwilioApi twilio;
    private static OutboundService service;

    @BeforeAll
    static void start() throws Exception {
        twilio = FakeTwilioApi.start();
        service = newService();
    }

    private static OutboundService newService() throws InterruptedException {
        OutboundService started = new OutboundService(OutboundConfig.fromEnv(OutboundFixture.env(twilio, GROUP)),
                new SimpleMeterRegistry());
        started.start();
        assertThat(started.awaitAssignment(WAIT)).isTrue();
        return started;
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        twilio.close();
    }

    private static Predicate<Recorded> about(String conversationId) {
        return r -> r.path().contains("/" + conversationId + "/");
    }

    private static Predicate<ConsumerRecord<String, DeliveryEvent>> deliveryOf(String outboundEventId) {
        return r -> r.value().getOutboundEventId().equals(outboundEventId);
    }

    @Test
    void voiceReplyLandsOnTheEgressPartitionOfTheIngressInstanceHoldingTheCall() {
        String callSid = "CA" + EventIds.random().replace("-", "");
        Session session = OutboundFixture.voiceSession(callSid, 1).build();
        OutboundEvent event = reply(session, EventIds.random(), "Hello from the agent", 7);

        produce(event);

        List<ConsumerRecord<String, VoiceFrame>> frames = await(Topic.VOICE_EGRESS,
                r -> r.value().getEventId().equals(event.getEventId()), 1, WAIT);
        assertThat(frames).hasSize(1);
        ConsumerRecord<String, VoiceFrame> frame = frames.get(0);
        assertThat(frame.partition()).isEqualTo(1);
        assertThat(frame.key()).isEqualTo(callSid);
        assertThat(frame.value().getCallSid()).isEqualTo(callSid);
        assertThat(frame.value().getTurn()).isEqualTo(7);
        assertThat(((Reply) frame.value().getFrame()).getText()).isEqualTo("Hello from the agent");
        assertThat(await(Topic.DELIVERY, deliveryOf(event.getEventId()), 1, WAIT))
                .singleElement().satisfies(d -> assertThat(d.value().getStatus()).isEqualTo(DeliveryStatus.SENT));
        assertThat(twilio.requests(callSid)).isEmpty();
    }

    @Test
    void aWhatsAppTypingEventShowsTwilioTypingIndicatorForTheInboundMessageAndSmsGetsNone() {
        String whatsapp = conversationId("conv_conversation");
        String sms = conversationId("conv_conversation");
        String whatsappMessage = "SM" + EventIds.random().replace("-", "");
        String smsMessage = "SM" + EventIds.random().replace("-", "");
        Session whatsappSession = messagingSession(whatsapp, Channel.WHATSAPP, Source.ORCHESTRATOR)
                .setChannelId(whatsappMessage).build();
        Session smsSession = messagingSession(sms, Channel.SMS, Source.ORCHESTRATOR).setChannelId(smsMessage).build();

        produce(typing(smsSession, smsMessage));
        produce(reply(smsSession, EventIds.random(), "Here is your answer", -1));
        produce(typing(whatsappSession, whatsappMessage));

        List<Recorded> indicators = twilio.awaitRequests(r -> r.path().equals("/v2/Indicators/Typing.json")
                && whatsappMessage.equals(r.form().get("messageId")), 1, WAIT);
        assertThat(indicators).singleElement().satisfies(r -> {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.form()).containsEntry("channel", "whatsapp");
            assertThat(r.header("X-Forwarded-Host")).isEqualTo("messaging.twilio.com");
        });
        // the SMS typing event came before the SMS reply, which is sent: by then the typing event was skipped
        twilio.awaitRequests(about(sms), 1, WAIT);
        assertThat(twilio.requests("/v2/Indicators/Typing.json"))
                .noneMatch(r -> smsMessage.equals(r.form().get("messageId")));
    }

    private static OutboundEvent typing(Session session, String messageId) {
        return OutboundEvent.newBuilder().setEventId(EventIds.random()).setConversationId(session.getConversationId())
                .setOccurredAt(Instant.now()).setTraceId(EventIds.newTraceId()).setInReplyTo("agent-" + messageId)
                .setSession(session).setPayload(io.switchboard.events.Typing.newBuilder().setMessageId(messageId).build())
                .build();
    }

    @Test
    void eachMessagingChannelAndSourceMakesExactlyOneCorrectApiCall() {
        record Case(Channel channel, Source source, String conversationId, OutboundEvent event) {
        }
        List<Case> cases = new ArrayList<>();
        for (Channel channel : List.of(Channel.SMS, Channel.WHATSAPP, Channel.RCS, Channel.CHAT)) {
            for (Source source : List.of(Source.ORCHESTRATOR, Source.CONVERSATIONS_V1)) {
                String id = source == Source.ORCHESTRATOR ? conversationId("conv_conversation")
                        : "CH" + EventIds.random().replace("-", "");
                Session session = messagingSession(id, channel, source).setAgentParticipantId("conv_participant_agent")
                        .setCustomerParticipantId("conv_participant_customer").setChannelId("SM" + id).build();
                OutboundEvent event = reply(session, EventIds.random(), "Reply on " + channel + " via " + source, -1);
                cases.add(new Case(channel, source, id, event));
                produce(event);
            }
        }
        for (Case c : cases) {
            List<Recorded> calls = twilio.awaitRequests(about(c.conversationId()), 1, WAIT);
            assertThat(await(Topic.DELIVERY, deliveryOf(c.event().getEventId()), 1, WAIT)).singleElement()
                    .satisfies(d -> {
                        assertThat(d.value().getStatus()).isEqualTo(DeliveryStatus.SENT);
                        assertThat(d.value().getTwilioId()).isNotBlank();
                        assertThat(d.value().getChannel()).isEqualTo(c.channel());
                    });
            assertThat(twilio.requests(c.conversationId())).as("%s %s", c.channel(), c.source()).hasSize(1);
            Recorded call = calls.get(0);
            assertThat(call.method()).isEqualTo("POST");
            if (c.source() == Source.ORCHESTRATOR) {
                assertThat(call.path()).isEqualTo("/v2/Conversations/" + c.conversationId() + "/Actions");
                assertThat(call.basicAuthUser()).isEqualTo("SK0123456789abcdef0123456789abcdef");
                assertThat(call.basicAuthPassword()).isEqualTo("api-secret");
                ObjectNode body = call.json();
                assertThat(body.path("type").asText()).isEqualTo("SEND_MESSAGE");
                assertThat(body.at("/payload/from/channel").asText()).isEqualTo(c.channel().name());
                assertThat(body.at("/payload/from/participantId").asText()).isEqualTo("conv_participant_agent");
                assertThat(body.at("/payload/to/0/channel").asText()).isEqualTo(c.channel().name());
                assertThat(body.at("/payload/to/0/participantId").asText()).isEqualTo("conv_participant_customer");
                assertThat(body.at("/payload/content/text").asText()).isEqualTo(((Reply) c.event().getPayload()).getText());
                assertThat(body.at("/payload/channelSettings/channelId").asText()).isEqualTo("SM" + c.conversationId());
            } else {
                assertThat(call.path()).isEqualTo("/v1/Conversations/" + c.conversationId() + "/Messages");
                assertThat(call.basicAuthUser()).isEqualTo("AC0123456789abcdef0123456789abcdef");
                assertThat(call.basicAuthPassword()).isEqualTo("auth-token");
                assertThat(call.header("X-Forwarded-Host")).isEqualTo("conversations.twilio.com");
                assertThat(call.form()).containsEntry("Body", ((Reply) c.event().getPayload()).getText())
                        .containsEntry("Author", c.event().getSession().getTo());
            }
        }
    }

    @Test
    void agentIsAddedAsAiAgentWhenTheConversationHasOnlyTheCustomer() {
        String id = conversationId("conv_conversation");
        String customer = twilio.addParticipant(id, "CUSTOMER", "SMS", OutboundFixture.CUSTOMER);
        OutboundEvent event = reply(messagingSession(id, Channel.SMS, Source.ORCHESTRATOR).build(),
                EventIds.random(), "First reply", -1);

        produce(event);

        List<Recorded> actions = twilio.awaitRequests(r -> r.path().equals("/v2/Conversations/" + id + "/Actions"), 1, WAIT);
        List<Recorded> added = twilio.requests("^/v2/Conversations/" + id + "/Participants$").stream()
                .filter(r -> r.method().equals("POST")).toList();
        assertThat(added).singleElement().satisfies(r -> {
            assertThat(r.json().path("type").asText()).isEqualTo("AI_AGENT");
            assertThat(r.json().at("/addresses/0/channel").asText()).isEqualTo("SMS");
            assertThat(r.json().at("/addresses/0/address").asText()).isEqualTo(OutboundFixture.PHONE);
        });
        String agent = twilio.participants(id).stream().filter(p -> p.path("type").asText().equals("AI_AGENT"))
                .findFirst().orElseThrow().path("id").asText();
        assertThat(actions.get(0).json().at("/payload/from/participantId").asText()).isEqualTo(agent);
        assertThat(actions.get(0).json().at("/payload/to/0/participantId").asText()).isEqualTo(customer);
    }

    @Test
    void rateLimitedSendIsRetriedAfterRetryAfterAndDeliveredOnce() {
        String id = conversationId("conv_conversation");
        twilio.respondNext("/v2/Conversations/" + id + "/Actions", FakeTwilioApi.Reply.tooManyRequests(1));
        OutboundEvent event = reply(orchestratedSms(id), EventIds.random(), "Retried reply", -1);

        produce(event);

        List<Recorded> calls = twilio.awaitRequests(about(id), 2, WAIT);
        assertThat(calls.get(0).status()).isEqualTo(429);
        assertThat(calls.get(1).status()).isEqualTo(202);
        assertThat(Duration.between(calls.get(0).at(), calls.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(await(Topic.DELIVERY, deliveryOf(event.getEventId()), 1, WAIT)).singleElement().satisfies(d -> {
            assertThat(d.value().getStatus()).isEqualTo(DeliveryStatus.SENT);
            assertThat(d.value().getAttempts()).isEqualTo(2);
            assertThat(d.value().getHttpStatus()).isEqualTo(202);
        });
        assertThat(twilio.requests(id)).hasSize(2);
    }

    @Test
    void permanentTwilioErrorGivesFailedDeliveryWithTwilioCodeAndDeadLetter() {
        String id = "CH" + EventIds.random().replace("-", "");
        twilio.respondNext("/v1/Conversations/" + id + "/Messages",
                FakeTwilioApi.Reply.twilioError(400, 50407, "Invalid participant"));
        OutboundEvent event = reply(messagingSession(id, Channel.WHATSAPP, Source.CONVERSATIONS_V1).build(),
                EventIds.random(), "Rejected reply", -1);

        produce(event);

        assertThat(await(Topic.DELIVERY, deliveryOf(event.getEventId()), 1, WAIT)).singleElement().satisfies(d -> {
            assertThat(d.value().getStatus()).isEqualTo(DeliveryStatus.FAILED);
            assertThat(d.value().getHttpStatus()).isEqualTo(400);
            assertThat(d.value().getErrorCode()).isEqualTo(50407);
            assertThat(d.value().getAttempts()).isEqualTo(1);
            assertThat(d.value().getEventId()).isEqualTo(EventIds.derived(event.getEventId(), "delivery"));
        });
        List<ConsumerRecord<String, DeadLetter>> letters = await(Topic.DEAD_LETTER,
                r -> id.equals(r.value().getConversationId()), 1, WAIT);
        assertThat(letters).singleElement().satisfies(l -> {
            assertThat(l.key()).isEqualTo(id);
            assertThat(l.value().getService()).isEqualTo("outbound-sender");
            assertThat(l.value().getOriginTopic()).isEqualTo(Topic.OUTBOUND.topicName());
            assertThat(l.value().getErrorMessage()).contains("50407");
        });
        assertThat(twilio.requests(id)).hasSize(1);
    }

    @Test
    void longSmsIsSplitAtWordBoundariesAndSentInOrder() {
        String id = conversationId("conv_conversation");
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 3_500; i++) {
            text.append("word").append(i).append(' ');
        }
        OutboundEvent event = reply(orchestratedSms(id), EventIds.random(), text.toString().trim(), -1);

        produce(event);

        List<Recorded> calls = twilio.awaitRequests(about(id), 3, WAIT);
        List<String> parts = calls.stream().map(r -> r.json().at("/payload/content/text").asText()).toList();
        assertThat(parts).hasSize(3).allSatisfy(p -> assertThat(p.length()).isLessThanOrEqualTo(1_600));
        assertThat(String.join(" ", parts)).isEqualTo(text.toString().trim());
        assertThat(parts).allSatisfy(p -> assertThat(p).matches("word\\d+( word\\d+)*"));
        assertThat(await(Topic.DELIVERY, deliveryOf(event.getEventId()), 1, WAIT)).singleElement()
                .satisfies(d -> assertThat(d.value().getTwilioId().split(",")).hasSize(3));
    }

    @Test
    void slowApiCallsOfOneConversationDoNotHoldBackAnotherConversationsReply() {
        String slow = OutboundFixture.conversationOnPartition("conv_slow", 3);
        String fast = OutboundFixture.conversationOnPartition("conv_fast", 3);
        twilio.respondAlways("/v2/Conversations/" + slow + "/Actions", FakeTwilioApi.Reply.delayed(Duration.ofSeconds(4)));
        OutboundEvent slowReply = reply(orchestratedSms(slow), EventIds.random(), "Slow", -1);
        OutboundEvent fastReply = reply(orchestratedSms(fast), EventIds.random(), "Fast", -1);

        produce(slowReply);
        twilio.awaitRequests(about(slow), 1, WAIT);
        Instant fastProduced = Instant.now();
        produce(fastReply);

        assertThat(await(Topic.DELIVERY, deliveryOf(fastReply.getEventId()), 1, WAIT)).hasSize(1);
        assertThat(Duration.between(fastProduced, Instant.now())).isLessThan(Duration.ofSeconds(3));
        assertThat(await(Topic.DELIVERY, deliveryOf(slowReply.getEventId()), 1, Duration.ofMillis(300))).isEmpty();
        assertThat(await(Topic.DELIVERY, deliveryOf(slowReply.getEventId()), 1, WAIT)).hasSize(1);
    }

    @Test
    void duplicateOutboundEventIsSentOnceAlsoAfterTheSenderRestarts() throws Exception {
        String id = conversationId("conv_conversation");
        Session session = orchestratedSms(id);
        OutboundEvent original = reply(session, EventIds.random(), "Only once", -1);

        produce(original);
        twilio.awaitRequests(about(id), 1, WAIT);
        produce(original);
        produce(reply(session, EventIds.random(), "Marker one", -1));
        twilio.awaitRequests(about(id), 2, WAIT);

        service.close();
        service = newService();
        produce(original);
        produce(reply(session, EventIds.random(), "Marker two", -1));
        twilio.awaitRequests(about(id), 3, WAIT);

        assertThat(twilio.requests(id).stream().map(r -> r.json().at("/payload/content/text").asText()))
                .containsExactly("Only once", "Marker one", "Marker two");
        assertThat(await(Topic.DELIVERY, deliveryOf(original.getEventId()), 2, Duration.ofSeconds(2))).hasSize(1);
    }

    @Test
    void serverErrorOnAMessagePostIsNotRepeatedButAListingIsRetried() {
        String id = conversationId("conv_conversation");
        twilio.addParticipant(id, "CUSTOMER", "SMS", OutboundFixture.CUSTOMER);
        twilio.addParticipant(id, "AI_AGENT", "SMS", OutboundFixture.PHONE);
        twilio.respondNext("/v2/Conversations/" + id + "/Participants", FakeTwilioApi.Reply.serverError());
        twilio.respondNext("/v2/Conversations/" + id + "/Actions", FakeTwilioApi.Reply.serverError());
        OutboundEvent event = reply(messagingSession(id, Channel.SMS, Source.ORCHESTRATOR).build(),
                EventIds.random(), "Maybe sent", -1);

        produce(event);

        assertThat(await(Topic.DELIVERY, deliveryOf(event.getEventId()), 1, WAIT)).singleElement().satisfies(d -> {
            assertThat(d.value().getStatus()).isEqualTo(DeliveryStatus.FAILED);
            assertThat(d.value().getHttpStatus()).isEqualTo(500);
            assertThat(d.value().getErrorCode()).isEqualTo(20500);
        });
        assertThat(twilio.requests(id).stream().map(r -> r.method() + " " + r.status()))
                .containsExactly("GET 500", "GET 200", "POST 500");
        assertThat(OutboundFixture.<DeadLetter>await(Topic.DEAD_LETTER, r -> id.equals(r.value().getConversationId()), 1, WAIT))
                .hasSize(1);
    }

    @Test
    void voiceHandoffEndsTheSessionWithTheHandoffDataAsJson() {
        String callSid = "CA" + EventIds.random().replace("-", "");
        OutboundEvent event = OutboundEvent.newBuilder(reply(OutboundFixture.voiceSession(callSid, 2).build(),
                        EventIds.random(), "", 3))
                .setPayload(io.switchboard.events.Handoff.newBuilder().setReason("customer asked for a human")
                        .setAttributes(java.util.Map.of("queue", "billing")).build()).build();

        produce(event);

        assertThat(OutboundFixture.<VoiceFrame>await(Topic.VOICE_EGRESS, r -> r.value().getEventId().equals(event.getEventId()), 1, WAIT))
                .singleElement().satisfies(r -> {
                    assertThat(r.partition()).isEqualTo(2);
                    String data = ((io.switchboard.events.EndSession) r.value().getFrame()).getHandoffData();
                    // TAC's HandoffData; relay-only without a store: storeId and the unknown profileId are ""
                    assertThat(data).isEqualTo("{\"conversationId\":\"" + callSid + "\",\"storeId\":\"\",\"profileId\":\"\","
                            + "\"attributes\":{\"queue\":\"billing\",\"reason\":\"customer asked for a human\"}}");
                });
    }

    @Test
    void streamedVoiceTokensReachTheEgressPartitionInOrder() {
        String callSid = "CA" + EventIds.random().replace("-", "");
        Session session = OutboundFixture.voiceSession(callSid, 0).build();
        String replyId = EventIds.random();
        for (int n = 0; n < 5; n++) {
            OutboundEvent token = reply(session, EventIds.derived(replyId, "out", Integer.toString(n)), "t" + n, 2);
            ((Reply) token.getPayload()).setReplyId(replyId);
            ((Reply) token.getPayload()).setSequence(n);
            ((Reply) token.getPayload()).setLast(n == 4);
            produce(token);
        }

        List<ConsumerRecord<String, VoiceFrame>> frames = await(Topic.VOICE_EGRESS,
                r -> r.key().equals(callSid), 5, WAIT);
        assertThat(frames).extracting(r -> ((Reply) r.value().getFrame()).getText())
                .containsExactly("t0", "t1", "t2", "t3", "t4");
        assertThat(frames).allSatisfy(r -> assertThat(r.partition()).isZero());
        assertThat(((Reply) frames.get(4).value().getFrame()).getLast()).isTrue();
    }

    @Test
    void voiceEventWithoutAnIngressInstanceFailsAndIsDeadLettered() {
        String callSid = "CA" + EventIds.random().replace("-", "");
        OutboundEvent event = reply(OutboundFixture.voiceSession(callSid, 0).setIngressInstance(null).build(),
                EventIds.random(), "Nowhere to go", 1);

        produce(event);

        assertThat(await(Topic.DELIVERY, deliveryOf(event.getEventId()), 1, WAIT)).singleElement()
                .satisfies(d -> assertThat(d.value().getStatus()).isEqualTo(DeliveryStatus.FAILED));
        assertThat(OutboundFixture.<DeadLetter>await(Topic.DEAD_LETTER,
                r -> callSid.equals(r.value().getConversationId()), 1, WAIT)).hasSize(1);
    }

    private static Session orchestratedSms(String conversationId) {
        return messagingSession(conversationId, Channel.SMS, Source.ORCHESTRATOR)
                .setAgentParticipantId("conv_participant_agent").setCustomerParticipantId("conv_participant_customer")
                .build();
    }
}
