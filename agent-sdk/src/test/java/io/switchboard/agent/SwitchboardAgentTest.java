package io.switchboard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.events.AgentEvent;
import io.switchboard.events.DeadLetter;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.Session;
import io.switchboard.ids.EventIds;
import io.switchboard.testkit.AgentTraffic;
import io.switchboard.testkit.TestKafka;
import io.switchboard.topics.Topic;
import io.switchboard.tracing.Messaging;
import io.switchboard.tracing.RecentSpans;
import io.switchboard.tracing.Tracing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class SwitchboardAgentTest extends AgentTrafficTest {
    private static SwitchboardAgent.Builder builder() {
        return SwitchboardAgent.builder(TestKafka.env(Map.of()));
    }

    @Test
    void echoRoundTripCarriesDeterministicIdsTurnAndSession() throws Exception {
        start(builder().onMessageReady((message, session, memory) -> "You said: " + message.text()));
        Session sms = AgentTraffic.sms(prefix + "sms");
        Session voice = AgentTraffic.voice(prefix + "voice");
        AgentEvent smsEvent = traffic.message(sms, "hello", 0);
        AgentEvent voiceEvent = traffic.message(voice, "hi there", 7);

        await().until(() -> traffic.of(sms.getConversationId()).size() == 1 && traffic.of(voice.getConversationId()).size() == 1);
        OutboundEvent smsReply = traffic.of(sms.getConversationId()).get(0);
        assertThat(smsReply.getEventId()).isEqualTo(EventIds.derived(smsEvent.getEventId(), "out", "0"));
        assertThat(smsReply.getInReplyTo()).isEqualTo(smsEvent.getEventId());
        assertThat(smsReply.getTurn()).isEqualTo(-1);
        assertThat(smsReply.getSession()).isEqualTo(sms);
        assertThat(smsReply.getTraceId()).isEqualTo(smsEvent.getTraceId());
        Reply text = (Reply) smsReply.getPayload();
        assertThat(text.getText()).isEqualTo("You said: hello");
        assertThat(text.getSequence()).isZero();
        assertThat(text.getLast()).isTrue();

        OutboundEvent voiceReply = traffic.of(voice.getConversationId()).get(0);
        assertThat(voiceReply.getTurn()).isEqualTo(7);
        assertThat(voiceReply.getEventId()).isEqualTo(EventIds.derived(voiceEvent.getEventId(), "out", "0"));
        assertThat(((Reply) voiceReply.getPayload()).getText()).isEqualTo("You said: hi there");
    }

    @Test
    void streamedTokensReachTheTopicBeforeTheHandlerFinishesAndMessagingGetsOneWholeReply() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        start(builder().onMessageReady((message, session, memory, reply) -> {
            TokenStream stream = reply.stream();
            stream.send("Hello");
            stream.send(" world");
            if (session.isVoice()) {
                release.await(20, TimeUnit.SECONDS);
            }
            stream.end();
            finished.set(session.isVoice());
        }));
        Session voice = AgentTraffic.voice(prefix + "voice");
        traffic.message(voice, "hi", 3);
        await().until(() -> traffic.of(voice.getConversationId()).size() == 2);
        assertThat(finished).isFalse();
        release.countDown();
        await().until(() -> traffic.of(voice.getConversationId()).size() == 3);
        List<Reply> tokens = AgentTraffic.replies(traffic.of(voice.getConversationId()));
        assertThat(tokens).extracting(Reply::getText).containsExactly("Hello", " world", "");
        assertThat(tokens).extracting(Reply::getSequence).containsExactly(0, 1, 2);
        assertThat(tokens).extracting(Reply::getLast).containsExactly(false, false, true);
        assertThat(tokens).extracting(Reply::getReplyId).containsOnly(tokens.get(0).getReplyId());

        Session sms = AgentTraffic.sms(prefix + "sms");
        traffic.message(sms, "hi", 0);
        await().until(() -> traffic.of(sms.getConversationId()).size() == 1);
        Reply whole = AgentTraffic.replies(traffic.of(sms.getConversationId())).get(0);
        assertThat(whole.getText()).isEqualTo("Hello world");
        assertThat(whole.getLast()).isTrue();
    }

    @Test
    void interruptCancelsTheSlowHandlerOfItsConversationOnlyAndNothingIsSentAfterIt() throws Exception {
        AtomicBoolean sawCancellation = new AtomicBoolean();
        AtomicReference<Interrupt> interrupted = new AtomicReference<>();
        CountDownLatch interruptHandled = new CountDownLatch(1);
        start(builder().onMessageReady((message, session, memory, reply) -> {
            if (!message.text().equals("slow")) {
                reply.sendResponse("fast answer");
                return;
            }
            TokenStream stream = reply.stream();
            stream.send("Let me think");
            try {
                for (int i = 0; i < 100 && !reply.isCancelled(); i++) {
                    Thread.sleep(200);
                    stream.send(" more");
                }
            } catch (InterruptedException e) {
                // cancelled: the thread is interrupted
            }
            sawCancellation.set(reply.isCancelled());
            stream.send("after the interrupt");
            stream.end();
        }).onInterrupt((session, interrupt) -> {
            interrupted.set(interrupt);
            interruptHandled.countDown();
        }));
        Session slow = AgentTraffic.voice(prefix + "slow");
        Session other = AgentTraffic.voice(prefix + "other");
        traffic.message(slow, "slow", 1);
        await().until(() -> !traffic.of(slow.getConversationId()).isEmpty());

        traffic.interrupt(slow, "Let me", 850, 4);
        traffic.message(other, "quick", 1);
        await().until(() -> traffic.text(other.getConversationId()).equals("fast answer"));
        assertThat(interruptHandled.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(interrupted.get()).isEqualTo(new Interrupt("Let me", 850, 4));
        await().untilTrue(sawCancellation);

        int sent = traffic.of(slow.getConversationId()).size();
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(5))
                .until(() -> traffic.of(slow.getConversationId()).size() == sent);
        List<Reply> tokens = AgentTraffic.replies(traffic.of(slow.getConversationId()));
        assertThat(tokens).extracting(Reply::getLast).doesNotContain(true);
        assertThat(tokens).extracting(Reply::getText).doesNotContain("after the interrupt");
        assertThat(tokens.size()).isLessThan(20);
    }

    @Test
    void twoHundredConversationsOfThreeMessagesAreAllAnsweredInOrder() throws Exception {
        start(builder().onMessageReady((message, session, memory) -> {
            Thread.sleep(200);
            return "re:" + message.text();
        }));
        int conversations = 200;
        for (int m = 0; m < 3; m++) {
            for (int c = 0; c < conversations; c++) {
                traffic.message(AgentTraffic.sms(prefix + c), "m" + m, 0);
            }
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> traffic.withPrefix(prefix).size() == conversations * 3);
        for (int c = 0; c < conversations; c++) {
            assertThat(AgentTraffic.replies(traffic.of(prefix + c))).extracting(Reply::getText)
                    .containsExactly("re:m0", "re:m1", "re:m2");
        }
    }

    @Test
    void aFailingHandlerIsRetriedThenDeadLetteredAndTheConversationGoesOn() throws Exception {
        Map<String, Integer> attempts = new java.util.concurrent.ConcurrentHashMap<>();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        start(builder().retries(1).meterRegistry(registry).onMessageReady((message, session, memory) -> {
            attempts.merge(message.text(), 1, Integer::sum);
            if (message.text().equals("boom")) {
                throw new IllegalStateException("the model is down");
            }
            return "ok";
        }));
        Session sms = AgentTraffic.sms(prefix + "err");
        try (KafkaConsumer<String, DeadLetter> dlq = TestKafka.clients().consumer(null, "test-dlq", Topic.DEAD_LETTER)) {
            List<TopicPartition> parts = dlq.partitionsFor(Topic.DEAD_LETTER.topicName()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            dlq.assign(parts);
            dlq.seekToEnd(parts);
            parts.forEach(dlq::position);
            AgentEvent failing = traffic.message(sms, "boom", 0);
            traffic.message(sms, "after", 0);
            await().until(() -> traffic.text(sms.getConversationId()).equals("ok"));
            assertThat(attempts).containsEntry("boom", 2);
            List<DeadLetter> letters = new ArrayList<>();
            await().until(() -> {
                dlq.poll(Duration.ofMillis(100)).forEach(r -> letters.add(r.value()));
                return letters.stream().anyMatch(l -> sms.getConversationId().equals(l.getConversationId()));
            });
            DeadLetter letter = letters.stream().filter(l -> sms.getConversationId().equals(l.getConversationId()))
                    .findFirst().orElseThrow();
            assertThat(letter.getErrorMessage()).isEqualTo("the model is down");
            assertThat(letter.getOriginTopic()).isEqualTo(Topic.AGENT.topicName());
            assertThat(TestKafka.clients().serdes().forType(AgentEvent.class).deserializer()
                    .deserialize(Topic.AGENT.topicName(), letter.getOriginalValue().array())).isEqualTo(failing);
        }
    }

    @Test
    void aTracedHandlerSpanHoldsItsRetriesAsEventsAndItsRepliesAsChildren() throws Exception {
        RecentSpans spans = new RecentSpans(64);
        try (Tracing tracing = Tracing.inProcess(spans, "agent-test")) {
            java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
            start(builder().retries(1).tracing(tracing).onMessageReady((message, session, memory) -> {
                if (calls.incrementAndGet() == 1) {
                    throw new IllegalStateException("the model is down");
                }
                return "second time lucky";
            }));
            Session sms = AgentTraffic.sms(prefix + "traced");
            traffic.message(sms, "hello", 0);
            await().until(() -> traffic.text(sms.getConversationId()).equals("second time lucky"));

            io.opentelemetry.sdk.trace.data.SpanData handler = await().until(() -> spans.matching(
                    span -> span.getName().equals("handle message") && sms.getConversationId()
                            .equals(span.getAttributes().get(Messaging.CONVERSATION_ID))).stream().findFirst()
                    .orElse(null), java.util.Objects::nonNull);
            assertThat(handler.getEvents()).singleElement().satisfies(event -> {
                assertThat(event.getName()).isEqualTo("retry");
                assertThat(event.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey("error.type")))
                        .isEqualTo(IllegalStateException.class.getName());
            });
            List<io.opentelemetry.sdk.trace.data.SpanData> trace = spans.trace(handler.getTraceId());
            io.opentelemetry.sdk.trace.data.SpanData process = trace.stream()
                    .filter(span -> span.getName().equals("process tac.agent.v1")).findFirst().orElseThrow();
            assertThat(handler.getParentSpanId()).isEqualTo(process.getSpanId());
            assertThat(process.getAttributes().get(Messaging.GROUP)).isNotBlank();
            assertThat(trace).filteredOn(span -> span.getName().equals("send tac.outbound.v1")).singleElement()
                    .satisfies(send -> assertThat(send.getParentSpanId()).isEqualTo(handler.getSpanId()));
        }
    }

    @Test
    void agentsWithDifferentGroupIdsEachSeeAllTrafficWithoutInterfering() throws Exception {
        List<String> analysed = new java.util.concurrent.CopyOnWriteArrayList<>();
        start(builder().onMessageReady((message, session, memory) -> "You said: " + message.text()));
        start(builder().onMessageReady((message, session, memory) -> {
            analysed.add(session.conversationId() + ":" + message.text());
            return null; // an analytics agent: listens, never answers
        }));
        Session sms = AgentTraffic.sms(prefix + "both");
        traffic.message(sms, "one", 0);
        traffic.message(sms, "two", 0);
        await().until(() -> analysed.size() == 2 && traffic.of(sms.getConversationId()).size() == 2);
        assertThat(analysed).containsExactly(sms.getConversationId() + ":one", sms.getConversationId() + ":two");
        assertThat(AgentTraffic.replies(traffic.of(sms.getConversationId()))).extracting(Reply::getText)
                .containsExactly("You said: one", "You said: two");
    }

    @Test
    void aMessageWaitingBehindTheInterruptedOneIsSkippedAsStale() throws Exception {
        List<String> handled = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        start(builder().onMessageReady((message, session, memory) -> {
            handled.add(message.text());
            if (message.text().equals("first")) {
                started.countDown();
                Thread.sleep(20_000); // interrupted by the interrupt
            }
            return "re:" + message.text();
        }));
        Session voice = AgentTraffic.voice(prefix + "stale");
        traffic.message(voice, "first", 1);
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
        traffic.message(voice, "second", 2);
        traffic.interrupt(voice, "", 100, 3);
        traffic.message(voice, "third", 4);
        await().until(() -> traffic.text(voice.getConversationId()).equals("re:third"));
        assertThat(handled).containsExactly("first", "third");
    }
}
