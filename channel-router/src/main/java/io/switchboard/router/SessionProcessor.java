package io.switchboard.router;

import io.switchboard.events.AgentEvent;
import io.switchboard.events.Channel;
import io.switchboard.events.ConversationStatus;
import io.switchboard.events.DeliveryEvent;
import io.switchboard.events.DeliveryStatus;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.Memory;
import io.switchboard.events.Session;
import io.switchboard.events.agent.AgentDtmf;
import io.switchboard.events.agent.AgentInterrupt;
import io.switchboard.events.agent.ConversationEnded;
import io.switchboard.events.agent.EndReason;
import io.switchboard.events.agent.HandoffFailed;
import io.switchboard.events.agent.MessageReady;
import io.switchboard.events.inbound.CallEndReason;
import io.switchboard.events.inbound.CallEnded;
import io.switchboard.events.inbound.CallStarted;
import io.switchboard.events.inbound.ConversationStateChanged;
import io.switchboard.events.inbound.Dtmf;
import io.switchboard.events.inbound.Interrupt;
import io.switchboard.events.inbound.MessageReceived;
import io.switchboard.events.inbound.Prompt;
import io.switchboard.events.inbound.RelayError;
import io.switchboard.events.inbound.RelayInfo;
import io.switchboard.ids.EventIds;
import io.switchboard.logging.Redaction;
import io.switchboard.memory.MemoryQuery;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The session lifecycle of every conversation: starts sessions (voice at `setup`, messaging at the first message),
 * turns inbound facts into agent events carrying the session, and ends each conversation exactly once — on CLOSED,
 * when a relay-only call ends, or after inactivity — keeping a short-lived tombstone so a second end signal or a late
 * frame is recognised.
 *
 * <p>Voice rules: partial prompts ({@code last: false}) carry the utterance so far (cumulative, as ConversationRelay
 * sends them), so the latest replaces the previous one and the final prompt's text wins; the latest partial is
 * used only if the final one is empty. In relay-only mode (no Conversation Orchestrator: the conversation id is the
 * call SID) the action callback ends the conversation with its HandoffData; when the socket closes first the router
 * waits up to the call-end grace for that callback before it ends the conversation without it. In orchestrated mode
 * the call ending does not end the conversation (a later call may continue it, TAC PR #71); CLOSED does.
 *
 * <p>Events after the end: a voice frame for a conversation that ended by CLOSED or inactivity while its call is
 * still connected starts a fresh session from the ended one (the caller is still there and can be answered); frames
 * after the call itself ended, and frames without any `setup`, are dropped and logged (no socket could carry an
 * answer). A message after the end starts a new messaging session.
 *
 * <p>Memory ({@code memory_mode} per channel, as TAC): {@code never} attaches none; {@code always} fetches it for every
 * message with the message text as query; {@code once} fetches it with an empty query at the first message, caches it
 * in the session state (changelogged) and reuses it until the conversation turns INACTIVE, when the next message
 * fetches again (a failed fetch caches nothing, so the next message tries again). Relay-only voice has no Conversation
 * Orchestrator, hence no memory: it gets an empty one without any call (as TAC). A failed or slow fetch (the memory
 * timeout) lets the message go on without memory, with a warning.
 *
 * <p>Memory without head-of-line blocking: a message that needs memory is <em>held</em> in the changelogged
 * {@link RouterTopology#HELD_STORE} while {@link io.switchboard.memory.MemoryClient#retrieve} runs asynchronously, and
 * every later inbound event of that conversation queues behind it in the same store entry, so per-conversation order
 * holds while the other conversations of the partition go on. The fetch's completion (on an HTTP client thread) only
 * appends to a concurrent queue; a wall-clock punctuation every {@value #MEMORY_DRAIN_MS} ms, scheduled only while the
 * task holds a message, drains it on the stream thread (the only thread that may touch stores and forward), attaches the memory, forwards the message and replays
 * the queued events, and releases without memory any message whose fetch outlived the timeout. This was chosen over a
 * memory-reply topic read by a second source: no extra Kafka round trip (two transfers, about 4-12 ms, on the voice
 * path), no producer outside the Streams transaction and no extra topic to provision, at the cost of a poll interval
 * of {@value #MEMORY_DRAIN_MS} ms ({@link RouterService} lowers {@code poll.ms} to match when memory is on). It is
 * exactly-once-safe: the held message and its queue are committed with the input offsets; the fetch itself is not
 * state, so a task that starts (after a crash, restart or rebalance) fetches again for every message it finds held,
 * and the timeout releases it without memory if that fetch fails too: a held message is never lost.
 */
final class SessionProcessor implements Processor<String, SpecificRecord, String, AgentEvent> {
    private static final Logger log = LoggerFactory.getLogger(SessionProcessor.class);
    static final String CONVERSATION_ID_PARAMETER = "conversationId";
    static final String PROFILE_ID_PARAMETER = "profileId";
    static final String CUSTOMER_PARTICIPANT_PARAMETER = "customerParticipantId";
    static final String AGENT_PARTICIPANT_PARAMETER = "aiAgentParticipantId";
    /** How often completed memory fetches are taken up on the stream thread. */
    static final long MEMORY_DRAIN_MS = 5;

    private final Duration inactivityTimeout;
    private final Duration callEndGrace;
    private final RouterMetrics metrics;
    private final MemoryRouting memory;
    /** Conversations of this task with a held message (the keys of the held store), with their fetch. */
    private final Map<String, Fetch> fetches = new HashMap<>();
    /** Finished fetches, appended by HTTP client threads, drained by the stream thread. */
    private final Queue<Completion> completions = new ConcurrentLinkedQueue<>();
    private long fetchSequence;
    /**
     * The drain punctuation, scheduled only while this task holds a message: Streams commits a task after each of
     * its punctuations, so a permanent 5 ms punctuation would cost every idle task a transaction per commit interval.
     */
    private Cancellable drain;
    private KeyValueStore<String, HeldMessage> held;
    private ProcessorContext<String, AgentEvent> context;
    private KeyValueStore<String, ConversationState> sessions;
    private KeyValueStore<String, Long> pendingCallEnds;
    /**
     * When this task started: idle time counts from here at the earliest, so after a restart or a move a
     * conversation is not ended for inactivity before the backlog of its events has been processed.
     */
    private long taskStartedAtMillis;

    SessionProcessor(Duration inactivityTimeout, Duration callEndGrace, MemoryRouting memory, RouterMetrics metrics) {
        this.inactivityTimeout = inactivityTimeout;
        this.callEndGrace = callEndGrace;
        this.memory = memory;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, AgentEvent> context) {
        this.context = context;
        this.sessions = context.getStateStore(RouterTopology.SESSION_STORE);
        this.pendingCallEnds = context.getStateStore(RouterTopology.CALL_END_STORE);
        this.taskStartedAtMillis = context.currentSystemTimeMs();
        context.schedule(clamp(inactivityTimeout.dividedBy(10), Duration.ofMillis(100), Duration.ofSeconds(30)),
                PunctuationType.WALL_CLOCK_TIME, this::endIdleConversations);
        context.schedule(clamp(callEndGrace.dividedBy(5), Duration.ofMillis(50), Duration.ofSeconds(1)),
                PunctuationType.WALL_CLOCK_TIME, this::endClosedCalls);
        this.held = context.getStateStore(RouterTopology.HELD_STORE);
        refetchHeldMessages(taskStartedAtMillis);
    }

    @Override
    public void close() {
        if (drain != null) {
            drain.cancel();
            drain = null;
        }
        metrics.held(-fetches.size());
        fetches.clear();
        completions.clear();
    }

    @Override
    public void process(Record<String, SpecificRecord> input) {
        if (input.value() instanceof DeliveryEvent delivery) {
            handoffOutcome(input, delivery);
            return;
        }
        if (!(input.value() instanceof InboundEvent event)) {
            return;
        }
        @SuppressWarnings({"unchecked", "rawtypes"})
        Record<String, InboundEvent> record = (Record) input;
        String conversationId = event.getConversationId();
        if (record.key() != null && !record.key().equals(conversationId)) {
            log.warn("Inbound event {} keyed {} but for conversation {}: routed by its conversation id",
                    event.getEventId(), record.key(), conversationId);
        }
        MDC.put("conversationId", conversationId);
        try {
            handle(record.withKey(conversationId));
        } finally {
            MDC.remove("conversationId");
        }
    }

    /** Routes an inbound event, or queues it behind its conversation's held message. */
    private void handle(Record<String, InboundEvent> record) {
        String conversationId = record.key();
        if (fetches.containsKey(conversationId)) {
            HeldMessage waiting = held.get(conversationId);
            if (waiting != null) {
                waiting.queued.add(new HeldMessage.Queued(record.value(), record.timestamp()));
                held.put(conversationId, waiting);
                log.debug("{} {} waits behind the message held for its memory", typeOf(record.value()),
                        record.value().getEventId());
                return;
            }
        }
        route(new Inbound(record.value(), record), sessions.get(conversationId), context.currentSystemTimeMs());
    }

    private void route(Inbound in, ConversationState state, long now) {
        Object payload = in.event.getPayload();
        if (payload instanceof CallStarted started) {
            callStarted(in, started, state, now);
        } else if (payload instanceof Prompt prompt) {
            prompt(in, prompt, state, now);
        } else if (payload instanceof Interrupt interrupt) {
            ConversationState live = liveVoice(in, state, now);
            if (live != null) {
                touch(live, now);
                emit(in, live, Channel.VOICE, AgentInterrupt.newBuilder()
                        .setUtteranceUntilInterrupt(interrupt.getUtteranceUntilInterrupt())
                        .setDurationUntilInterruptMs(interrupt.getDurationUntilInterruptMs())
                        .setTurn(interrupt.getTurn()).build());
            }
        } else if (payload instanceof Dtmf dtmf) {
            ConversationState live = liveVoice(in, state, now);
            if (live != null) {
                touch(live, now);
                emit(in, live, Channel.VOICE, AgentDtmf.newBuilder().setDigit(dtmf.getDigit()).build());
            }
        } else if (payload instanceof CallEnded ended) {
            callEnded(in, ended, state, now);
        } else if (payload instanceof MessageReceived message) {
            messageReceived(in, message, state, now);
        } else if (payload instanceof ConversationStateChanged change) {
            stateChanged(in, change, state, now);
        } else if (payload instanceof RelayError error) {
            log.warn("ConversationRelay reported an error: {}", Redaction.mask(error.getDescription()));
            if (state != null && !state.ended()) {
                touch(state, now);
            }
        } else if (payload instanceof RelayInfo) {
            log.debug("ConversationRelay info frame {}", in.event.getEventId());
        } else {
            log.warn("Inbound event {} has a payload the router does not know: {}", in.event.getEventId(), typeOf(in.event));
            metrics.dropped("unknown_type");
        }
    }

    // ---- voice ----

    private void callStarted(Inbound in, CallStarted setup, ConversationState state, long now) {
        Map<String, String> parameters = setup.getCustomParameters() == null ? Map.of() : setup.getCustomParameters();
        boolean outbound = setup.getDirection() != null && setup.getDirection().startsWith("outbound");
        String customer = firstNonNull(outbound ? setup.getTo() : setup.getFrom(), blankToNull(setup.getCustomerAddress()));
        String business = outbound ? setup.getFrom() : setup.getTo();
        String conversationId = in.event.getConversationId();
        if (state == null || state.ended()) {
            Session session = Session.newBuilder()
                    .setConversationId(conversationId)
                    .setChannel(Channel.VOICE)
                    .setSource(in.event.getSource())
                    .setStartedAt(in.event.getOccurredAt())
                    .setProfileId(profileId(setup, parameters))
                    .setCallSid(setup.getCallSid())
                    .setRelaySessionId(setup.getSessionId())
                    .setFrom(customer)
                    .setTo(business)
                    .setCustomerParticipantId(customerParticipantId(setup, parameters))
                    .setAgentParticipantId(agentParticipantId(setup, parameters))
                    .setCustomParameters(new HashMap<>(parameters))
                    .setIngressInstance(setup.getIngressInstance())
                    .build();
            state = new ConversationState(session, now);
            log.info("Voice session started: call {} from {} on ingress instance {}", setup.getCallSid(),
                    Redaction.mask(customer), setup.getIngressInstance());
        } else {
            // a further call of an orchestrated conversation, or a new relay session on the same call
            Map<String, String> merged = new HashMap<>(state.session.getCustomParameters());
            merged.putAll(parameters);
            Session previous = state.session;
            state.session = Session.newBuilder(previous)
                    .setChannel(Channel.VOICE)
                    .setCallSid(setup.getCallSid())
                    .setRelaySessionId(setup.getSessionId())
                    .setFrom(customer != null ? customer : previous.getFrom())
                    .setTo(business != null ? business : previous.getTo())
                    .setProfileId(firstNonNull(profileId(setup, parameters), previous.getProfileId()))
                    .setCustomerParticipantId(firstNonNull(customerParticipantId(setup, parameters),
                            previous.getCustomerParticipantId()))
                    .setAgentParticipantId(firstNonNull(agentParticipantId(setup, parameters),
                            previous.getAgentParticipantId()))
                    .setCustomParameters(merged)
                    .setIngressInstance(setup.getIngressInstance())
                    .build();
            state.partialPrompt = null;
            state.partialLang = null;
            log.info("Voice session continues with call {} on ingress instance {}", setup.getCallSid(), setup.getIngressInstance());
        }
        // ingress marks a call it keyed by an Orchestrator conversation (its lookup, or a conversationId parameter);
        // records written before that marker existed (schema v1/v2) are told apart as before
        state.orchestrated = setup.getOrchestrated()
                || ConversationState.parameter(parameters, CONVERSATION_ID_PARAMETER) != null
                || !conversationId.equals(setup.getCallSid());
        state.callLive = true;
        state.callClosedAtMillis = null;
        pendingCallEnds.delete(conversationId);
        touch(state, now);
    }

    /** The customer's profile: what ingress's Orchestrator lookup found, else TAC's {@code profileId} parameter. */
    private static String profileId(CallStarted setup, Map<String, String> parameters) {
        return firstNonNull(blankToNull(setup.getProfileId()), ConversationState.parameter(parameters, PROFILE_ID_PARAMETER));
    }

    private static String customerParticipantId(CallStarted setup, Map<String, String> parameters) {
        return firstNonNull(blankToNull(setup.getCustomerParticipantId()),
                ConversationState.parameter(parameters, CUSTOMER_PARTICIPANT_PARAMETER));
    }

    private static String agentParticipantId(CallStarted setup, Map<String, String> parameters) {
        return firstNonNull(blankToNull(setup.getAiAgentParticipantId()),
                ConversationState.parameter(parameters, AGENT_PARTICIPANT_PARAMETER));
    }

    private static String blankToNull(String text) {
        return isBlank(text) ? null : text;
    }

    private void prompt(Inbound in, Prompt prompt, ConversationState state, long now) {
        ConversationState live = liveVoice(in, state, now);
        if (live == null) {
            return;
        }
        live.lastActivityMillis = now;
        if (!prompt.getLast()) {
            live.partialPrompt = prompt.getVoicePrompt();
            live.partialLang = prompt.getLang();
            sessions.put(live.conversationId(), live);
            return;
        }
        String text = isBlank(prompt.getVoicePrompt()) ? live.partialPrompt : prompt.getVoicePrompt();
        String lang = prompt.getLang() != null ? prompt.getLang() : live.partialLang;
        live.partialPrompt = null;
        live.partialLang = null;
        sessions.put(live.conversationId(), live);
        if (isBlank(text)) {
            log.debug("Empty final prompt {} not routed", in.event.getEventId());
            metrics.dropped("empty_prompt");
            return;
        }
        emitMessage(in, live, Channel.VOICE, MessageReady.newBuilder()
                .setMessageId(in.event.getEventId())
                .setText(text)
                .setLang(lang)
                .setTurn(prompt.getTurn())
                .setChannelId(null)
                .setMemory(null)
                .build(), now);
    }

    private void callEnded(Inbound in, CallEnded ended, ConversationState state, long now) {
        if (state == null || state.ended()) {
            log.debug("Call end ({}) of a conversation already ended or unknown: nothing to do", ended.getReason());
            metrics.dropped("already_ended");
            return;
        }
        if (isStale(ended, state.session)) {
            log.debug("Call end ({}) of an earlier call/relay session {} ignored", ended.getReason(), ended.getSessionId());
            metrics.dropped("stale_call_end");
            return;
        }
        if (ended.getErrorCode() != null || "failed".equalsIgnoreCase(ended.getSessionStatus())) {
            log.warn("Relay session {} ended with status {} error {} {}", ended.getSessionId(), ended.getSessionStatus(),
                    ended.getErrorCode(), ended.getErrorMessage());
        }
        state.lastActivityMillis = now;
        state.callLive = false;
        String conversationId = state.conversationId();
        if (state.orchestrated) {
            state.callClosedAtMillis = null;
            sessions.put(conversationId, state);
            log.info("Call {} ended ({}); the orchestrated conversation stays open until CLOSED",
                    state.session.getCallSid(), ended.getReason());
            return;
        }
        if (ended.getReason() == CallEndReason.ACTION_CALLBACK || callEndGrace.isZero()) {
            end(state, EndReason.CALL_ENDED, ended.getHandoffData(), EventIds.derived(in.event.getEventId(), "agent"),
                    in.event.getTraceId(), in.event.getOccurredAt(), in.record, now);
            return;
        }
        // the socket closed first: the action callback (with HandoffData) normally follows within a second
        if (state.callClosedAtMillis == null) {
            state.callClosedAtMillis = now;
            pendingCallEnds.put(conversationId, now + callEndGrace.toMillis());
        }
        sessions.put(conversationId, state);
        log.debug("Relay socket closed; waiting up to {} for the action callback", callEndGrace);
    }

    /**
     * The session for a voice frame, or null when it cannot be routed. A conversation that ended by CLOSED or
     * inactivity while its call is still connected gets a fresh session: the caller can still be answered.
     */
    private ConversationState liveVoice(Inbound in, ConversationState state, long now) {
        String type = typeOf(in.event);
        if (state == null) {
            log.warn("{} {} for a conversation without a session (no setup seen): dropped", type, in.event.getEventId());
            metrics.dropped("no_session");
            return null;
        }
        if (!state.ended()) {
            return state;
        }
        if (state.isVoice() && state.callLive && state.endReason != EndReason.CALL_ENDED) {
            ConversationState fresh = new ConversationState(Session.newBuilder(state.session)
                    .setStartedAt(Instant.ofEpochMilli(now)).build(), now);
            fresh.orchestrated = state.orchestrated;
            fresh.callLive = true;
            log.info("{} after the conversation ended ({}) while call {} is still connected: a new session starts",
                    type, state.endReason, state.session.getCallSid());
            return fresh;
        }
        log.info("{} {} after the conversation ended ({}): dropped", type, in.event.getEventId(), state.endReason);
        metrics.dropped("ended");
        return null;
    }

    private static boolean isStale(CallEnded ended, Session session) {
        boolean otherCall = ended.getCallSid() != null && session.getCallSid() != null
                && !ended.getCallSid().equals(session.getCallSid());
        boolean otherRelaySession = ended.getSessionId() != null && session.getRelaySessionId() != null
                && !ended.getSessionId().isEmpty() && !ended.getSessionId().equals(session.getRelaySessionId());
        return otherCall || otherRelaySession;
    }

    // ---- messaging ----

    /**
     * The outcome of a messaging handoff, as outbound-sender recorded it on tac.delivery.v1 (the router never acts on
     * the agent's request itself: the agent is muted only once Studio accepted the execution). SENT: the session ends
     * with {@code HANDOFF} and the conversation stays handed off (its messages no longer reach agents) until it is
     * CLOSED or quiet for the inactivity timeout. FAILED (refused, or Studio failed): the agent gets a
     * {@link HandoffFailed} and keeps the conversation. Voice handoffs end through the relay's action callback instead.
     */
    private void handoffOutcome(Record<String, SpecificRecord> record, DeliveryEvent delivery) {
        if (delivery.getHandoffData() == null || delivery.getChannel() == Channel.VOICE) {
            return;
        }
        String conversationId = delivery.getConversationId();
        MDC.put("conversationId", conversationId);
        try {
            long now = context.currentSystemTimeMs();
            ConversationState state = sessions.get(conversationId);
            if (state != null && state.ended() && state.endReason == EndReason.HANDOFF) {
                log.debug("Handoff outcome {} of a conversation already handed off: nothing to do", delivery.getEventId());
                return;
            }
            Session session = state != null ? state.session : Session.newBuilder().setConversationId(conversationId)
                    .setChannel(delivery.getChannel()).setStartedAt(delivery.getOccurredAt()).build();
            if (delivery.getStatus() != DeliveryStatus.SENT) {
                AgentEvent failed = agentEvent(EventIds.derived(delivery.getOutboundEventId(), "handoff-failed"),
                        delivery.getTraceId(), delivery.getOccurredAt(), session, HandoffFailed.newBuilder()
                                .setReason(String.valueOf(delivery.getErrorMessage()))
                                .setOutboundEventId(delivery.getOutboundEventId())
                                .setHandoffData(delivery.getHandoffData()).build());
                forward(record.withKey(conversationId).withValue(failed));
                log.warn("Handoff failed ({}): the agent is told and keeps the conversation", delivery.getErrorMessage());
                return;
            }
            if (state == null || state.ended()) {
                state = new ConversationState(session, now);
            }
            AgentEvent ended = agentEvent(EventIds.derived(delivery.getOutboundEventId(), "handoff"), delivery.getTraceId(),
                    delivery.getOccurredAt(), state.session, ConversationEnded.newBuilder().setReason(EndReason.HANDOFF)
                            .setHandoffData(delivery.getHandoffData()).build());
            state.markEnded(EndReason.HANDOFF, now);
            sessions.put(conversationId, state);
            forward(record.withKey(conversationId).withValue(ended));
            metrics.ended(EndReason.HANDOFF.name());
            log.info("Conversation handed off to a human (Studio accepted it): agents no longer receive it");
        } finally {
            MDC.remove("conversationId");
        }
    }

    private void messageReceived(Inbound in, MessageReceived message, ConversationState state, long now) {
        if (state != null && state.ended() && state.endReason == EndReason.HANDOFF) {
            // a human has it now; keep the mark while the conversation is in use
            state.endedAtMillis = now;
            sessions.put(state.conversationId(), state);
            log.debug("Message {} of a handed-off conversation not routed", in.event.getEventId());
            metrics.dropped("handed_off");
            return;
        }
        if (state == null || state.ended()) {
            if (state != null) {
                log.info("Message after the conversation ended ({}): a new session starts", state.endReason);
            }
            Session session = Session.newBuilder()
                    .setConversationId(in.event.getConversationId())
                    .setChannel(message.getChannel())
                    .setSource(in.event.getSource())
                    .setStartedAt(in.event.getOccurredAt())
                    .setProfileId(message.getProfileId())
                    .setFrom(message.getAuthorAddress())
                    .setTo(message.getRecipientAddress())
                    .setCustomerParticipantId(message.getAuthorParticipantId())
                    .setAgentParticipantId(message.getRecipientParticipantId())
                    .setChannelId(message.getChannelId())
                    .build();
            state = new ConversationState(session, now);
            log.info("{} session started by {}", message.getChannel(), Redaction.mask(message.getAuthorAddress()));
        } else {
            Session previous = state.session;
            state.session = Session.newBuilder(previous)
                    .setChannelId(firstNonNull(message.getChannelId(), previous.getChannelId()))
                    .setProfileId(firstNonNull(previous.getProfileId(), message.getProfileId()))
                    .setFrom(firstNonNull(previous.getFrom(), message.getAuthorAddress()))
                    .setTo(firstNonNull(previous.getTo(), message.getRecipientAddress()))
                    .setCustomerParticipantId(firstNonNull(previous.getCustomerParticipantId(), message.getAuthorParticipantId()))
                    .setAgentParticipantId(firstNonNull(previous.getAgentParticipantId(), message.getRecipientParticipantId()))
                    .build();
        }
        touch(state, now);
        if (isBlank(message.getText())) {
            log.debug("Empty message {} not routed", in.event.getEventId());
            metrics.dropped("empty_message");
            return;
        }
        emitMessage(in, state, message.getChannel(), MessageReady.newBuilder()
                .setMessageId(in.event.getEventId())
                .setText(message.getText())
                .setLang(null)
                .setTurn(-1)
                .setChannelId(message.getChannelId())
                .setMemory(null)
                .build(), now);
    }

    private void stateChanged(Inbound in, ConversationStateChanged change, ConversationState state, long now) {
        if (state != null && state.ended() && state.endReason == EndReason.HANDOFF
                && change.getStatus() == ConversationStatus.CLOSED) {
            sessions.delete(state.conversationId());
            log.info("Handed-off conversation closed: a later message starts a new session");
            return;
        }
        if (state == null || state.ended()) {
            log.debug("Conversation state {} for a conversation without a live session: nothing to do", change.getStatus());
            metrics.dropped(state == null ? "no_session" : "already_ended");
            return;
        }
        ConversationStatus previous = state.status;
        state.status = change.getStatus();
        if (change.getStatus() == ConversationStatus.INACTIVE && state.memory != null) {
            state.memory = null; // memory_mode once: the next message fetches it again (TAC)
            log.debug("Cached memory dropped: the conversation is inactive");
        }
        if (change.getStatus() == ConversationStatus.CLOSED) {
            end(state, EndReason.CLOSED, null, EventIds.derived(in.event.getEventId(), "agent"), in.event.getTraceId(),
                    in.event.getOccurredAt(), in.record, now);
            return;
        }
        sessions.put(state.conversationId(), state);
        log.info("Conversation status {} -> {}", previous, change.getStatus());
    }

    // ---- ends ----

    private void end(ConversationState state, EndReason reason, String handoffData, String eventId, String traceId,
            Instant occurredAt, Record<String, InboundEvent> cause, long now) {
        AgentEvent ended = agentEvent(eventId, traceId, occurredAt, state.session,
                ConversationEnded.newBuilder().setReason(reason).setHandoffData(handoffData).build());
        String conversationId = state.conversationId();
        state.markEnded(reason, now);
        sessions.put(conversationId, state);
        pendingCallEnds.delete(conversationId);
        forward(cause == null ? new Record<>(conversationId, ended, now) : cause.withKey(conversationId).withValue(ended));
        metrics.ended(reason.name());
        log.info("Conversation ended: {}", reason);
    }

    /** Ends conversations idle for the inactivity timeout, and forgets tombstones older than it. */
    private void endIdleConversations(long now) {
        List<KeyValue<String, ConversationState>> due = new ArrayList<>();
        try (KeyValueIterator<String, ConversationState> all = sessions.all()) {
            while (all.hasNext()) {
                KeyValue<String, ConversationState> entry = all.next();
                ConversationState state = entry.value;
                if (fetches.containsKey(entry.key)) {
                    continue; // a held message is activity; its fetch ends within the memory timeout
                }
                long since = Math.max(taskStartedAtMillis, state.ended() ? state.endedAtMillis : state.lastActivityMillis);
                if (now - since >= inactivityTimeout.toMillis()) {
                    due.add(entry);
                }
            }
        }
        for (KeyValue<String, ConversationState> entry : due) {
            if (entry.value.ended()) {
                sessions.delete(entry.key);
                continue;
            }
            MDC.put("conversationId", entry.key);
            try {
                end(entry.value, EndReason.INACTIVITY_TIMEOUT, null,
                        EventIds.derived(entry.key, "inactivity", Long.toString(entry.value.lastActivityMillis)),
                        EventIds.newTraceId(), Instant.ofEpochMilli(now), null, now);
            } finally {
                MDC.remove("conversationId");
            }
        }
    }

    /** Relay-only calls whose socket closed and whose action callback did not come within the grace. */
    private void endClosedCalls(long now) {
        List<String> due = new ArrayList<>();
        try (KeyValueIterator<String, Long> all = pendingCallEnds.all()) {
            while (all.hasNext()) {
                KeyValue<String, Long> entry = all.next();
                if (entry.value <= now) {
                    due.add(entry.key);
                }
            }
        }
        for (String conversationId : due) {
            if (fetches.containsKey(conversationId)) {
                continue; // after the held message: the next run
            }
            pendingCallEnds.delete(conversationId);
            ConversationState state = sessions.get(conversationId);
            if (state == null || state.ended() || state.callClosedAtMillis == null) {
                continue;
            }
            MDC.put("conversationId", conversationId);
            try {
                log.info("No action callback within {} after the socket closed", callEndGrace);
                end(state, EndReason.CALL_ENDED, null,
                        EventIds.derived(conversationId, "call-closed", Objects.toString(state.session.getRelaySessionId())),
                        EventIds.newTraceId(), Instant.ofEpochMilli(now), null, now);
            } finally {
                MDC.remove("conversationId");
            }
        }
    }

    // ---- memory ----

    /** Emits a message-ready with the memory its channel's mode asks for, holding it while the memory is fetched. */
    private void emitMessage(Inbound in, ConversationState state, Channel channel, MessageReady message, long now) {
        MemoryMode mode = memory.modeFor(channel);
        if (mode == MemoryMode.NEVER) {
            emit(in, state, channel, message);
            return;
        }
        if (channel == Channel.VOICE && !state.orchestrated) {
            // relay-only voice: no Conversation Orchestrator, no memory; TAC answers an empty one without a call
            message.setMemory(Memory.newBuilder().build());
            emit(in, state, channel, message);
            return;
        }
        if (mode == MemoryMode.ONCE && state.memory != null) {
            message.setMemory(state.memory);
            emit(in, state, channel, message);
            return;
        }
        AgentEvent event = agentEvent(EventIds.derived(in.event.getEventId(), "agent"), in.event.getTraceId(),
                in.event.getOccurredAt(), state.sessionFor(channel), message);
        boolean once = mode == MemoryMode.ONCE;
        if (queryFor(event, once) == null) {
            log.debug("No profile id nor customer address: message {} goes on without memory", in.event.getEventId());
            forward(in.record.withKey(state.conversationId()).withValue(event));
            return;
        }
        HeldMessage heldMessage = new HeldMessage(event, in.record.timestamp(), once, List.of());
        held.put(state.conversationId(), heldMessage);
        fetch(state.conversationId(), heldMessage, now);
    }

    /** The query of a held message: its text ({@code always}) or none ({@code once}); null without a customer. */
    private static MemoryQuery queryFor(AgentEvent event, boolean once) {
        Session session = event.getSession();
        if (isBlank(session.getProfileId()) && isBlank(session.getFrom())) {
            return null;
        }
        String text = once ? "" : ((MessageReady) event.getPayload()).getText();
        return MemoryQuery.of(session.getConversationId(), session.getProfileId(), session.getFrom(), session.getChannel(), text);
    }

    /** Starts the (asynchronous) fetch of a held message's memory; its completion is taken up by {@link #drainMemory}. */
    private void fetch(String conversationId, HeldMessage message, long now) {
        long id = ++fetchSequence;
        MemoryQuery query = queryFor(message.event, message.once);
        boolean possible = memory.client() != null && query != null;
        // without a client (memory turned off since the message was held) it is released at the next drain
        if (fetches.put(conversationId, new Fetch(id, possible ? now + memory.timeout().toMillis() : now)) == null) {
            metrics.held(1);
        }
        if (drain == null) {
            drain = context.schedule(Duration.ofMillis(MEMORY_DRAIN_MS), PunctuationType.WALL_CLOCK_TIME, this::drainMemory);
        }
        if (!possible) {
            return;
        }
        CompletableFuture<Memory> answer;
        try {
            answer = memory.client().retrieve(query, memory.timeout());
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((result, error) -> completions.add(new Completion(conversationId, id, result, error)));
    }

    /** A task starting finds the messages held before a crash, restart or move: their fetch is started again. */
    private void refetchHeldMessages(long now) {
        List<KeyValue<String, HeldMessage>> found = new ArrayList<>();
        try (KeyValueIterator<String, HeldMessage> all = held.all()) {
            all.forEachRemaining(found::add);
        }
        for (KeyValue<String, HeldMessage> entry : found) {
            fetch(entry.key, entry.value, now);
        }
        if (!found.isEmpty()) {
            log.info("{} message(s) were held for their memory when this task last stopped: fetching again", found.size());
        }
    }

    /** On the stream thread: releases held messages whose memory came, failed or timed out. */
    private void drainMemory(long now) {
        Completion done;
        while ((done = completions.poll()) != null) {
            Fetch fetch = fetches.get(done.conversationId());
            if (fetch == null || fetch.id() != done.fetchId()) {
                continue; // released by the timeout already
            }
            if (done.error() == null) {
                release(done.conversationId(), done.memory(), "ok", null);
            } else {
                Throwable cause = unwrap(done.error());
                release(done.conversationId(), null, isTimeout(cause) ? "timeout" : "error", cause);
            }
        }
        List<String> expired = new ArrayList<>();
        for (Map.Entry<String, Fetch> entry : fetches.entrySet()) {
            if (entry.getValue().deadlineMillis() <= now) {
                expired.add(entry.getKey());
            }
        }
        for (String conversationId : expired) {
            release(conversationId, null, memory.client() == null ? null : "timeout", null);
        }
        if (fetches.isEmpty() && drain != null) {
            drain.cancel();
            drain = null;
        }
    }

    /** Forwards a held message with its memory (or without), then the events that queued behind it, in order. */
    private void release(String conversationId, Memory found, String outcome, Throwable error) {
        fetches.remove(conversationId);
        metrics.held(-1);
        if (outcome != null) {
            metrics.memoryFetch(outcome);
        }
        HeldMessage message = held.get(conversationId);
        held.delete(conversationId);
        if (message == null) {
            return;
        }
        MDC.put("conversationId", conversationId);
        try {
            if (!"ok".equals(outcome)) {
                log.warn("No memory for message {} ({}): it goes on without memory",
                        ((MessageReady) message.event.getPayload()).getMessageId(),
                        error != null ? error.toString() : outcome == null ? "memory is off" : "no answer within " + memory.timeout());
            }
            ((MessageReady) message.event.getPayload()).setMemory(found);
            if (message.once && found != null) {
                ConversationState state = sessions.get(conversationId);
                if (state != null && !state.ended()) {
                    state.memory = found;
                    sessions.put(conversationId, state);
                }
            }
            forward(new Record<>(conversationId, message.event, message.timestampMillis));
            for (HeldMessage.Queued queued : message.queued) {
                handle(new Record<>(conversationId, queued.event(), queued.timestampMillis()));
            }
        } finally {
            MDC.remove("conversationId");
        }
    }

    private static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static boolean isTimeout(Throwable e) {
        return e instanceof TimeoutException || e instanceof HttpTimeoutException;
    }

    /** The fetch in flight for a held message: an id per fetch (a stale completion is ignored) and its deadline. */
    private record Fetch(long id, long deadlineMillis) {
    }

    private record Completion(String conversationId, long fetchId, Memory memory, Throwable error) {
    }

    // ---- helpers ----

    private void touch(ConversationState state, long now) {
        state.lastActivityMillis = now;
        sessions.put(state.conversationId(), state);
    }

    private void emit(Inbound in, ConversationState state, Channel channel, SpecificRecord payload) {
        AgentEvent event = agentEvent(EventIds.derived(in.event.getEventId(), "agent"), in.event.getTraceId(),
                in.event.getOccurredAt(), state.sessionFor(channel), payload);
        forward(in.record.withKey(state.conversationId()).withValue(event));
    }

    private void forward(Record<String, AgentEvent> record) {
        context.forward(record);
        metrics.out(typeOf(record.value()));
    }

    private static AgentEvent agentEvent(String eventId, String traceId, Instant occurredAt, Session session,
            SpecificRecord payload) {
        return AgentEvent.newBuilder()
                .setEventId(eventId)
                .setConversationId(session.getConversationId())
                .setOccurredAt(occurredAt)
                .setTraceId(traceId)
                .setSession(session)
                .setPayload(payload)
                .build();
    }

    static String typeOf(InboundEvent event) {
        return event.getPayload() == null ? "none" : event.getPayload().getClass().getSimpleName();
    }

    static String typeOf(AgentEvent event) {
        return event.getPayload() == null ? "none" : event.getPayload().getClass().getSimpleName();
    }

    private static boolean isBlank(String text) {
        return text == null || text.isBlank();
    }

    private static <T> T firstNonNull(T first, T second) {
        return first != null ? first : second;
    }

    private static Duration clamp(Duration value, Duration min, Duration max) {
        return value.compareTo(min) < 0 ? min : value.compareTo(max) > 0 ? max : value;
    }

    /** An inbound event with the record it came in (timestamp and headers carry over to what it causes). */
    private record Inbound(InboundEvent event, Record<String, InboundEvent> record) {
    }
}
