package io.switchboard.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.AgentEvent;
import io.switchboard.events.Channel;
import io.switchboard.events.ConversationStatus;
import io.switchboard.events.DeliveryEvent;
import io.switchboard.events.DeliveryStatus;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.Memory;
import io.switchboard.events.agent.AgentDtmf;
import io.switchboard.events.agent.AgentInterrupt;
import io.switchboard.events.agent.CallConnected;
import io.switchboard.events.agent.ConversationEnded;
import io.switchboard.events.agent.EndReason;
import io.switchboard.events.agent.HandoffFailed;
import io.switchboard.events.agent.MessageReady;
import io.switchboard.events.call.CallStatus;
import io.switchboard.ids.EventIds;
import io.switchboard.memory.MemoryClient;
import io.switchboard.router.InboundFixtures.Call;
import io.switchboard.router.InboundFixtures.Chat;
import io.switchboard.router.SessionOutcome.StateChange;
import io.switchboard.testkit.InternalTokens;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The session rules one by one, without a topology or a broker (as Kafka's {@code WordCountProcessorTest} tests one
 * processor): each test feeds a state and an input and checks the outcome — agent events, state change, call-end timer.
 * The store bookkeeping around them is covered by {@link RouterTopologyTest}.
 */
class SessionRulesTest {
    private static final Duration INACTIVITY = Duration.ofMinutes(10);
    private static final Duration GRACE = Duration.ofSeconds(2);
    private static final long T0 = 1_000_000L;

    private final SessionRules rules = new SessionRules(INACTIVITY, GRACE, MemoryRouting.disabled());
    /** The state as the adapter would have stored it (the last PUT), null after a DELETE. */
    private ConversationState stored;

    private SessionOutcome feed(InboundEvent event, long now) {
        SessionOutcome outcome = rules.inbound(event, stored, now);
        keep(outcome);
        return outcome;
    }

    private void keep(SessionOutcome outcome) {
        if (outcome.stateChange() == StateChange.PUT) {
            stored = outcome.state();
        } else if (outcome.stateChange() == StateChange.DELETE) {
            stored = null;
        }
    }

    private static <T> T payload(SessionOutcome outcome, int index, Class<T> type) {
        return type.cast(outcome.events().get(index).getPayload());
    }

    @Test
    void callEventsReachAgentsAsTheyAreWithTheCallsSessionOrOneNamingTheCallOnly() {
        Call unanswered = Call.relayOnly();
        SessionOutcome busy = feed(unanswered.status("busy", 2), T0);
        assertThat(busy.events()).singleElement().satisfies(e -> {
            assertThat(e.getPayload()).isInstanceOfSatisfying(CallStatus.class,
                    s -> assertThat(s.getCallStatus()).isEqualTo("busy"));
            assertThat(e.getSession().getCallSid()).isEqualTo(unanswered.callSid);
            assertThat(e.getSession().getChannel()).isEqualTo(Channel.VOICE);
        });
        assertThat(stored).as("a call event never starts a session").isNull();

        Call call = Call.relayOnly();
        feed(call.setup(), T0);
        InboundEvent completed = call.status("completed", 4);
        SessionOutcome out = feed(completed, T0 + 1_000);
        assertThat(out.events()).singleElement().satisfies(e -> {
            assertThat(e.getEventId()).isEqualTo(EventIds.derived(completed.getEventId(), "agent"));
            assertThat(e.getSession().getRelaySessionId()).isEqualTo(call.relaySessionId);
        });
        assertThat(stored.lastActivityMillis).as("the session is not changed").isEqualTo(T0);
    }

    @Test
    void setupStartsAVoiceSessionWithTheCallersDetailsAndTellsAgentsTheCallConnected() {
        Call call = Call.relayOnly();
        InboundEvent setup = call.setup();
        SessionOutcome started = feed(setup, T0);
        assertThat(started.events()).singleElement().satisfies(e -> {
            assertThat(e.getEventId()).isEqualTo(EventIds.derived(setup.getEventId(), "agent"));
            assertThat(e.getPayload()).isInstanceOfSatisfying(CallConnected.class,
                    c -> assertThat(c.getCallSid()).isEqualTo(call.callSid));
        });
        assertThat(started.stateChange()).isEqualTo(StateChange.PUT);
        assertThat(stored.session.getCallSid()).isEqualTo(call.callSid);
        assertThat(stored.session.getFrom()).isEqualTo(InboundFixtures.CUSTOMER);
        assertThat(stored.session.getProfileId()).isEqualTo("mem_profile_01");
        assertThat(stored.callLive).isTrue();
        assertThat(stored.orchestrated).as("the conversation id is the call SID").isFalse();
        assertThat(started.callEndTimerChanged()).isTrue();
        assertThat(started.callEndDeadline()).as("a new call clears any pending call end").isNull();
    }

    @Test
    void partialPromptsAreKeptAndTheFinalPromptsTextWins() {
        Call call = Call.relayOnly();
        feed(call.setup(), T0);
        SessionOutcome partial = feed(call.prompt("I want to", false), T0 + 10);
        assertThat(partial.events()).isEmpty();
        assertThat(stored.partialPrompt).isEqualTo("I want to");
        feed(call.prompt("I want to check", false), T0 + 20);
        assertThat(stored.partialPrompt).as("cumulative: the latest replaces the previous").isEqualTo("I want to check");

        SessionOutcome last = feed(call.prompt("I want to check my order", true), T0 + 30);
        assertThat(last.events()).hasSize(1);
        MessageReady message = payload(last, 0, MessageReady.class);
        assertThat(message.getText()).isEqualTo("I want to check my order");
        assertThat(message.getLang()).isEqualTo("en-US");
        assertThat(message.getMemory()).as("relay-only voice gets no memory with memory off").isNull();
        assertThat(last.events().get(0).getSession().getChannel()).isEqualTo(Channel.VOICE);
        assertThat(stored.partialPrompt).isNull();
        assertThat(stored.lastActivityMillis).isEqualTo(T0 + 30);
    }

    @Test
    void anEmptyFinalPromptUsesTheLatestPartialAndAnEmptyUtteranceIsDropped() {
        Call call = Call.relayOnly();
        feed(call.setup(), T0);
        feed(call.prompt("Cancel it", false), T0 + 1);
        SessionOutcome last = feed(call.prompt("", true), T0 + 2);
        assertThat(payload(last, 0, MessageReady.class).getText()).isEqualTo("Cancel it");

        SessionOutcome empty = feed(call.prompt(" ", true), T0 + 3);
        assertThat(empty.events()).isEmpty();
        assertThat(empty.dropped()).containsExactly("empty_prompt");
    }

    @Test
    void interruptAndDtmfReachTheAgentWithTheirFields() {
        Call call = Call.relayOnly();
        feed(call.setup(), T0);
        SessionOutcome interrupt = feed(call.interrupt("I want to", 1500), T0 + 5);
        AgentInterrupt agentInterrupt = payload(interrupt, 0, AgentInterrupt.class);
        assertThat(agentInterrupt.getUtteranceUntilInterrupt()).isEqualTo("I want to");
        assertThat(agentInterrupt.getDurationUntilInterruptMs()).isEqualTo(1500);
        assertThat(stored.lastActivityMillis).isEqualTo(T0 + 5);

        InboundEvent digit = call.dtmf("7");
        SessionOutcome dtmf = feed(digit, T0 + 6);
        assertThat(payload(dtmf, 0, AgentDtmf.class).getDigit()).isEqualTo("7");
        assertThat(dtmf.events().get(0).getEventId()).isEqualTo(EventIds.derived(digit.getEventId(), "agent"));
        assertThat(dtmf.events().get(0).getTraceId()).isEqualTo(digit.getTraceId());
    }

    @Test
    void aVoiceFrameWithoutSetupIsDropped() {
        SessionOutcome outcome = feed(Call.relayOnly().dtmf("1"), T0);
        assertThat(outcome.events()).isEmpty();
        assertThat(outcome.stateChange()).isEqualTo(StateChange.NONE);
        assertThat(outcome.dropped()).containsExactly("no_session");
    }

    @Test
    void closedEndsTheConversationOnceAndAFrameWhileTheCallIsLiveStartsAFreshSession() {
        Call call = Call.orchestrated(InboundFixtures.conversationId());
        feed(call.setup(), T0);
        SessionOutcome closed = feed(InboundFixtures.stateChange(call.conversationId, ConversationStatus.CLOSED), T0 + 10);
        assertThat(payload(closed, 0, ConversationEnded.class).getReason()).isEqualTo(EndReason.CLOSED);
        assertThat(closed.ended()).isNotNull();
        assertThat(stored.ended()).isTrue();
        assertThat(closed.callEndTimerChanged()).isTrue();
        assertThat(closed.callEndDeadline()).isNull();

        SessionOutcome again = feed(InboundFixtures.stateChange(call.conversationId, ConversationStatus.CLOSED), T0 + 11);
        assertThat(again.events()).as("ended exactly once").isEmpty();
        assertThat(again.dropped()).containsExactly("already_ended");

        SessionOutcome prompt = feed(call.prompt("Are you still there?", true), T0 + 12);
        assertThat(payload(prompt, 0, MessageReady.class).getText()).isEqualTo("Are you still there?");
        assertThat(stored.ended()).as("a fresh session: the caller is still connected").isFalse();
        assertThat(prompt.events().get(0).getSession().getStartedAt()).isEqualTo(Instant.ofEpochMilli(T0 + 12));
    }

    @Test
    void relayOnlySocketCloseWaitsForTheGraceThenEndsWithoutHandoffData() {
        Call call = Call.relayOnly();
        feed(call.setup(), T0);
        SessionOutcome closed = feed(call.socketClosed(), T0 + 100);
        assertThat(closed.events()).isEmpty();
        assertThat(closed.callEndDeadline()).isEqualTo(T0 + 100 + GRACE.toMillis());
        assertThat(stored.callClosedAtMillis).isEqualTo(T0 + 100);

        SessionOutcome over = rules.callEndGraceOver(stored, T0 + 100 + GRACE.toMillis());
        ConversationEnded ended = payload(over, 0, ConversationEnded.class);
        assertThat(ended.getReason()).isEqualTo(EndReason.CALL_ENDED);
        assertThat(ended.getHandoffData()).isNull();
        assertThat(over.callEndDeadline()).isNull();
        keep(over);

        assertThat(rules.callEndGraceOver(stored, T0 + 200_000).events()).as("already ended").isEmpty();
        assertThat(feed(call.actionCallback("{\"late\":true}"), T0 + 200_001).events()).isEmpty();
    }

    @Test
    void relayOnlyActionCallbackEndsWithItsHandoffDataAndAStaleCallEndIsIgnored() {
        Call call = Call.relayOnly();
        feed(call.setup(), T0);
        Call other = new Call(call.callSid, call.conversationId, Map.of(), 1);
        SessionOutcome stale = feed(other.socketClosed(), T0 + 1);
        assertThat(stale.dropped()).as("another relay session of the call").containsExactly("stale_call_end");

        feed(call.socketClosed(), T0 + 2);
        SessionOutcome callback = feed(call.actionCallback("{\"reasonCode\":\"live-agent-handoff\"}"), T0 + 3);
        ConversationEnded ended = payload(callback, 0, ConversationEnded.class);
        assertThat(ended.getReason()).isEqualTo(EndReason.CALL_ENDED);
        assertThat(ended.getHandoffData()).isEqualTo("{\"reasonCode\":\"live-agent-handoff\"}");
        assertThat(callback.callEndDeadline()).as("the grace timer is cleared").isNull();
        assertThat(callback.callEndTimerChanged()).isTrue();
    }

    @Test
    void anOrchestratedCallEndingKeepsTheConversationOpenUntilClosed() {
        Call call = Call.orchestrated(InboundFixtures.conversationId());
        feed(call.setup(), T0);
        SessionOutcome callback = feed(call.actionCallback("{}"), T0 + 5);
        assertThat(callback.events()).isEmpty();
        assertThat(callback.callEndTimerChanged()).isFalse();
        assertThat(stored.ended()).isFalse();
        assertThat(stored.callLive).isFalse();
    }

    @Test
    void anAcceptedHandoffEndsTheSessionAndLaterMessagesStayWithTheHuman() {
        Chat chat = new Chat(Channel.SMS);
        feed(chat.message("I need a person"), T0);
        SessionOutcome sent = rules.handoffOutcome(delivery(chat.conversationId, DeliveryStatus.SENT, null), stored, T0 + 1);
        keep(sent);
        ConversationEnded ended = payload(sent, 0, ConversationEnded.class);
        assertThat(ended.getReason()).isEqualTo(EndReason.HANDOFF);
        assertThat(ended.getHandoffData()).isEqualTo("{\"reason\":\"human\"}");
        assertThat(sent.events().get(0).getEventId()).isEqualTo(EventIds.derived("out-1", "handoff"));
        assertThat(stored.endReason).isEqualTo(EndReason.HANDOFF);

        SessionOutcome repeated = rules.handoffOutcome(delivery(chat.conversationId, DeliveryStatus.SENT, null), stored, T0 + 2);
        assertThat(repeated.isEmpty()).as("already handed off").isTrue();

        SessionOutcome later = feed(chat.message("hello?"), T0 + 3);
        assertThat(later.events()).isEmpty();
        assertThat(later.dropped()).containsExactly("handed_off");
        assertThat(stored.endedAtMillis).as("the handoff mark is kept while in use").isEqualTo(T0 + 3);

        SessionOutcome closed = feed(chat.status(ConversationStatus.CLOSED), T0 + 4);
        assertThat(closed.stateChange()).isEqualTo(StateChange.DELETE);
        assertThat(closed.events()).isEmpty();
    }

    @Test
    void aFailedHandoffTellsTheAgentAndLeavesTheSessionAlone() {
        Chat chat = new Chat(Channel.WHATSAPP);
        feed(chat.message("I need a person"), T0);
        SessionOutcome failed = rules.handoffOutcome(delivery(chat.conversationId, DeliveryStatus.FAILED,
                "Studio flow not found"), stored, T0 + 1);
        HandoffFailed handoffFailed = payload(failed, 0, HandoffFailed.class);
        assertThat(handoffFailed.getReason()).isEqualTo("Studio flow not found");
        assertThat(handoffFailed.getOutboundEventId()).isEqualTo("out-1");
        assertThat(failed.stateChange()).isEqualTo(StateChange.NONE);
        assertThat(failed.ended()).isNull();
        assertThat(stored.ended()).isFalse();
    }

    @Test
    void onlyMessagingHandoffOutcomesConcernTheSessions() {
        assertThat(SessionRules.isMessagingHandoff(delivery("conv", DeliveryStatus.SENT, null))).isTrue();
        DeliveryEvent reply = delivery("conv", DeliveryStatus.SENT, null);
        reply.setHandoffData(null);
        assertThat(SessionRules.isMessagingHandoff(reply)).isFalse();
        DeliveryEvent voice = delivery("conv", DeliveryStatus.SENT, null);
        voice.setChannel(Channel.VOICE);
        assertThat(SessionRules.isMessagingHandoff(voice)).isFalse();
    }

    @Test
    void inactivityEndsAnIdleConversationAndLaterForgetsItsTombstone() {
        Chat chat = new Chat(Channel.SMS);
        feed(chat.message("Hi"), T0);
        long timeout = INACTIVITY.toMillis();
        assertThat(rules.inactivity(stored, T0 + timeout - 1, 0).isEmpty()).isTrue();
        assertThat(rules.inactivity(stored, T0 + timeout, T0 + 1).isEmpty())
                .as("idle time counts from the task's start at the earliest").isTrue();

        SessionOutcome idle = rules.inactivity(stored, T0 + timeout, 0);
        keep(idle);
        AgentEvent event = idle.events().get(0);
        assertThat(((ConversationEnded) event.getPayload()).getReason()).isEqualTo(EndReason.INACTIVITY_TIMEOUT);
        assertThat(event.getEventId()).isEqualTo(EventIds.derived(chat.conversationId, "inactivity", Long.toString(T0)));
        assertThat(stored.endedAtMillis).isEqualTo(T0 + timeout);

        assertThat(rules.inactivity(stored, T0 + 2 * timeout - 1, 0).isEmpty()).isTrue();
        SessionOutcome forget = rules.inactivity(stored, T0 + 2 * timeout, 0);
        assertThat(forget.stateChange()).isEqualTo(StateChange.DELETE);
        assertThat(forget.events()).isEmpty();
    }

    @Test
    void aMessageAfterTheEndStartsANewSession() {
        Chat chat = new Chat(Channel.SMS);
        feed(chat.message("Hi"), T0);
        keep(rules.inactivity(stored, T0 + INACTIVITY.toMillis(), 0));
        SessionOutcome again = feed(chat.message("Back again"), T0 + INACTIVITY.toMillis() + 1);
        assertThat(payload(again, 0, MessageReady.class).getText()).isEqualTo("Back again");
        assertThat(stored.ended()).isFalse();
        assertThat(stored.session.getChannel()).isEqualTo(Channel.SMS);
    }

    @Test
    void memoryModesDecideWhetherAMessageIsHeld() {
        MemoryClient client = new MemoryClient(URI.create("http://localhost:1"), Duration.ofSeconds(1), InternalTokens.TOKEN);
        SessionRules always = new SessionRules(INACTIVITY, GRACE,
                new MemoryRouting(Map.of(Channel.SMS, MemoryMode.ALWAYS, Channel.VOICE, MemoryMode.ALWAYS), Duration.ofSeconds(1), client));
        Chat chat = new Chat(Channel.SMS);
        SessionOutcome sms = always.inbound(chat.message("Where is my order?"), null, T0);
        assertThat(sms.events()).isEmpty();
        assertThat(sms.held()).isNotNull();
        assertThat(sms.heldOnce()).isFalse();
        assertThat(((MessageReady) sms.held().getPayload()).getText()).isEqualTo("Where is my order?");

        Call call = Call.relayOnly();
        ConversationState voice = always.inbound(call.setup(), null, T0).state();
        SessionOutcome prompt = always.inbound(call.prompt("Hello", true), voice, T0 + 1);
        assertThat(prompt.held()).as("relay-only voice: no Orchestrator, no fetch").isNull();
        assertThat(payload(prompt, 0, MessageReady.class).getMemory()).isEqualTo(Memory.newBuilder().build());

        SessionRules once = new SessionRules(INACTIVITY, GRACE,
                new MemoryRouting(Map.of(Channel.SMS, MemoryMode.ONCE), Duration.ofSeconds(1), client));
        SessionOutcome first = once.inbound(chat.message("Hi"), null, T0);
        assertThat(first.heldOnce()).isTrue();
        ConversationState state = first.state();
        Memory cached = Memory.newBuilder().build();
        assertThat(SessionRules.cacheMemory(state, cached, true)).isTrue();
        SessionOutcome second = once.inbound(chat.message("Order 1234"), state, T0 + 1);
        assertThat(second.held()).as("served from the session's cache").isNull();
        assertThat(payload(second, 0, MessageReady.class).getMemory()).isSameAs(cached);

        once.inbound(chat.status(ConversationStatus.INACTIVE), state, T0 + 2);
        assertThat(state.memory).as("INACTIVE drops the cached memory").isNull();
        assertThat(once.inbound(chat.message("Still there?"), state, T0 + 3).held()).isNotNull();
    }

    private static DeliveryEvent delivery(String conversationId, DeliveryStatus status, String error) {
        return DeliveryEvent.newBuilder().setEventId(EventIds.derived("out-1", "delivery"))
                .setConversationId(conversationId).setOccurredAt(Instant.ofEpochMilli(T0)).setTraceId("trace")
                .setOutboundEventId("out-1").setChannel(Channel.SMS).setStatus(status).setAttempts(1)
                .setErrorMessage(error).setHandoffData("{\"reason\":\"human\"}").build();
    }
}
