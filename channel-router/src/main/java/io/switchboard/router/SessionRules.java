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
import io.switchboard.events.call.AmdResult;
import io.switchboard.events.call.CallStatus;
import io.switchboard.events.call.RecordingStatus;
import io.switchboard.events.agent.AgentInterrupt;
import io.switchboard.events.agent.CallConnected;
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
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session rules of the router, free of Kafka Streams: each takes a conversation's state (null when it has none)
 * and an input, may change the state object, and returns a {@link SessionOutcome} that {@link SessionProcessor}
 * applies (store writes, call-end timer, agent events, held message). Nothing here reads a store or forwards, so each
 * rule is tested directly.
 *
 * <p>The rules themselves (prompts, ends, events after the end, memory modes, handoff outcomes, the ids of what they
 * emit) are the contract of {@code docs/CONTRACTS.md}, section "router → tac.agent.v1": change them there first.
 * A message that needs a memory fetch is handed to the {@link MemoryGate} ({@link SessionOutcome#hold}).
 */
final class SessionRules {
    private static final Logger log = LoggerFactory.getLogger(SessionRules.class);
    static final String CONVERSATION_ID_PARAMETER = "conversationId";
    static final String PROFILE_ID_PARAMETER = "profileId";
    static final String CUSTOMER_PARTICIPANT_PARAMETER = "customerParticipantId";
    static final String AGENT_PARTICIPANT_PARAMETER = "aiAgentParticipantId";

    private final Duration inactivityTimeout;
    private final Duration callEndGrace;
    private final MemoryRouting memory;

    SessionRules(Duration inactivityTimeout, Duration callEndGrace, MemoryRouting memory) {
        this.inactivityTimeout = inactivityTimeout;
        this.callEndGrace = callEndGrace;
        this.memory = memory;
    }

    Duration inactivityTimeout() {
        return inactivityTimeout;
    }

    Duration callEndGrace() {
        return callEndGrace;
    }

    /** The rule for an inbound event of the conversation whose state is {@code state} (null: none yet). */
    SessionOutcome inbound(InboundEvent event, ConversationState state, long now) {
        SessionOutcome out = new SessionOutcome();
        Object payload = event.getPayload();
        if (payload instanceof CallStarted started) {
            callStarted(out, event, started, state, now);
        } else if (payload instanceof Prompt prompt) {
            prompt(out, event, prompt, state, now);
        } else if (payload instanceof Interrupt interrupt) {
            ConversationState live = liveVoice(out, event, state, now);
            if (live != null) {
                touch(out, live, now);
                emit(out, event, live, Channel.VOICE, AgentInterrupt.newBuilder()
                        .setUtteranceUntilInterrupt(interrupt.getUtteranceUntilInterrupt())
                        .setDurationUntilInterruptMs(interrupt.getDurationUntilInterruptMs())
                        .setTurn(interrupt.getTurn()).build());
            }
        } else if (payload instanceof Dtmf dtmf) {
            ConversationState live = liveVoice(out, event, state, now);
            if (live != null) {
                touch(out, live, now);
                emit(out, event, live, Channel.VOICE, AgentDtmf.newBuilder().setDigit(dtmf.getDigit()).build());
            }
        } else if (payload instanceof CallEnded ended) {
            callEnded(out, event, ended, state, now);
        } else if (payload instanceof MessageReceived message) {
            messageReceived(out, event, message, state, now);
        } else if (payload instanceof ConversationStateChanged change) {
            stateChanged(out, event, change, state, now);
        } else if (payload instanceof CallStatus || payload instanceof AmdResult || payload instanceof RecordingStatus) {
            callEvent(out, event, (SpecificRecord) payload, state);
        } else if (payload instanceof RelayError error) {
            log.warn("ConversationRelay reported an error: {}", Redaction.mask(error.getDescription()));
            if (state != null && !state.ended()) {
                touch(out, state, now);
            }
        } else if (payload instanceof RelayInfo) {
            log.debug("ConversationRelay info frame {}", event.getEventId());
        } else {
            log.warn("Inbound event {} has a payload the router does not know: {}", event.getEventId(),
                    typeOf(event));
            out.dropped("unknown_type");
        }
        return out;
    }

    // ---- voice ----

    private void callStarted(SessionOutcome out, InboundEvent event, CallStarted setup, ConversationState state, long now) {
        Map<String, String> parameters = setup.getCustomParameters() == null ? Map.of() : setup.getCustomParameters();
        boolean outbound = setup.getDirection() != null && setup.getDirection().startsWith("outbound");
        String customer = firstNonNull(outbound ? setup.getTo() : setup.getFrom(), blankToNull(setup.getCustomerAddress()));
        String business = outbound ? setup.getFrom() : setup.getTo();
        String conversationId = event.getConversationId();
        if (state == null || state.ended()) {
            Session session = Session.newBuilder()
                    .setConversationId(conversationId)
                    .setChannel(Channel.VOICE)
                    .setSource(event.getSource())
                    .setStartedAt(event.getOccurredAt())
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
        out.clearCallEndTimer();
        touch(out, state, now);
        // TAC TypeScript's onSetup: the agent learns of the call before its first prompt (same partition, in order)
        emit(out, event, state, Channel.VOICE, CallConnected.newBuilder()
                .setCallSid(setup.getCallSid())
                .setSessionId(setup.getSessionId())
                .setParentCallSid(setup.getParentCallSid())
                .setFrom(setup.getFrom())
                .setTo(setup.getTo())
                .setForwardedFrom(setup.getForwardedFrom())
                .setCallerName(setup.getCallerName())
                .setDirection(setup.getDirection())
                .setCallType(setup.getCallType())
                .setCallStatus(setup.getCallStatus())
                .setAccountSid(setup.getAccountSid())
                .setCustomParameters(new HashMap<>(parameters))
                .build());
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

    private void prompt(SessionOutcome out, InboundEvent event, Prompt prompt, ConversationState state, long now) {
        ConversationState live = liveVoice(out, event, state, now);
        if (live == null) {
            return;
        }
        live.lastActivityMillis = now;
        if (!prompt.getLast()) {
            live.partialPrompt = prompt.getVoicePrompt();
            live.partialLang = prompt.getLang();
            out.put(live);
            return;
        }
        String text = isBlank(prompt.getVoicePrompt()) ? live.partialPrompt : prompt.getVoicePrompt();
        String lang = prompt.getLang() != null ? prompt.getLang() : live.partialLang;
        live.partialPrompt = null;
        live.partialLang = null;
        out.put(live);
        if (isBlank(text)) {
            log.debug("Empty final prompt {} not routed", event.getEventId());
            out.dropped("empty_prompt");
            return;
        }
        emitMessage(out, event, live, Channel.VOICE, MessageReady.newBuilder()
                .setMessageId(event.getEventId())
                .setText(text)
                .setLang(lang)
                .setTurn(prompt.getTurn())
                .setChannelId(null)
                .setMemory(null)
                .build());
    }

    /**
     * Twilio's call status, AMD and recording callbacks go to agents as they are, with the conversation's session if
     * there is one (even after its end: a call's final status follows it) and without changing it; a call that never
     * connected (busy, no-answer, an answering machine before any socket) has no session, so agents get one naming
     * the call only.
     */
    private static void callEvent(SessionOutcome out, InboundEvent event, SpecificRecord payload, ConversationState state) {
        Session session = state != null ? state.session : Session.newBuilder().setConversationId(event.getConversationId())
                .setChannel(Channel.VOICE).setSource(event.getSource()).setStartedAt(event.getOccurredAt())
                .setCallSid(callSidOf(payload)).build();
        out.emit(agentEvent(EventIds.derived(event.getEventId(), "agent"), event.getTraceId(), event.getOccurredAt(),
                session, payload));
    }

    private static String callSidOf(SpecificRecord callEvent) {
        if (callEvent instanceof CallStatus status) {
            return status.getCallSid();
        }
        return callEvent instanceof AmdResult amd ? amd.getCallSid() : ((RecordingStatus) callEvent).getCallSid();
    }

    private void callEnded(SessionOutcome out, InboundEvent event, CallEnded ended, ConversationState state, long now) {
        if (state == null || state.ended()) {
            log.debug("Call end ({}) of a conversation already ended or unknown: nothing to do", ended.getReason());
            out.dropped("already_ended");
            return;
        }
        if (isStale(ended, state.session)) {
            log.debug("Call end ({}) of an earlier call/relay session {} ignored", ended.getReason(), ended.getSessionId());
            out.dropped("stale_call_end");
            return;
        }
        if (ended.getErrorCode() != null || "failed".equalsIgnoreCase(ended.getSessionStatus())) {
            log.warn("Relay session {} ended with status {} error {} {}", ended.getSessionId(), ended.getSessionStatus(),
                    ended.getErrorCode(), ended.getErrorMessage());
        }
        state.lastActivityMillis = now;
        state.callLive = false;
        if (state.orchestrated) {
            state.callClosedAtMillis = null;
            out.put(state);
            log.info("Call {} ended ({}); the orchestrated conversation stays open until CLOSED",
                    state.session.getCallSid(), ended.getReason());
            return;
        }
        if (ended.getReason() == CallEndReason.ACTION_CALLBACK || callEndGrace.isZero()) {
            end(out, state, EndReason.CALL_ENDED, ended.getHandoffData(), EventIds.derived(event.getEventId(), "agent"),
                    event.getTraceId(), event.getOccurredAt(), now);
            return;
        }
        // the socket closed first: the action callback (with HandoffData) normally follows within a second
        if (state.callClosedAtMillis == null) {
            state.callClosedAtMillis = now;
            out.setCallEndTimer(now + callEndGrace.toMillis());
        }
        out.put(state);
        log.debug("Relay socket closed; waiting up to {} for the action callback", callEndGrace);
    }

    /**
     * The session for a voice frame, or null when it cannot be routed. A conversation that ended by CLOSED or
     * inactivity while its call is still connected gets a fresh session: the caller can still be answered.
     */
    private static ConversationState liveVoice(SessionOutcome out, InboundEvent event, ConversationState state, long now) {
        String type = typeOf(event);
        if (state == null) {
            log.warn("{} {} for a conversation without a session (no setup seen): dropped", type, event.getEventId());
            out.dropped("no_session");
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
        log.info("{} {} after the conversation ended ({}): dropped", type, event.getEventId(), state.endReason);
        out.dropped("ended");
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

    /** Whether a delivery is the outcome of a messaging handoff (the only deliveries the sessions act on). */
    static boolean isMessagingHandoff(DeliveryEvent delivery) {
        return delivery.getHandoffData() != null && delivery.getChannel() != Channel.VOICE;
    }

    /**
     * The outcome of a messaging handoff, as outbound-sender recorded it on tac.delivery.v1 (the router never acts on
     * the agent's request itself: the agent is muted only once Studio accepted the execution). SENT: the session ends
     * with {@code HANDOFF} and the conversation stays handed off (its messages no longer reach agents) until it is
     * CLOSED or quiet for the inactivity timeout. FAILED (refused, or Studio failed): the agent gets a
     * {@link HandoffFailed} and keeps the conversation. Voice handoffs end through the relay's action callback instead
     * ({@link #isMessagingHandoff} tells which deliveries this rule is for).
     */
    SessionOutcome handoffOutcome(DeliveryEvent delivery, ConversationState state, long now) {
        SessionOutcome out = new SessionOutcome();
        String conversationId = delivery.getConversationId();
        if (state != null && state.ended() && state.endReason == EndReason.HANDOFF) {
            log.debug("Handoff outcome {} of a conversation already handed off: nothing to do", delivery.getEventId());
            return out;
        }
        Session session = state != null ? state.session : Session.newBuilder().setConversationId(conversationId)
                .setChannel(delivery.getChannel()).setStartedAt(delivery.getOccurredAt()).build();
        if (delivery.getStatus() != DeliveryStatus.SENT) {
            out.emit(agentEvent(EventIds.derived(delivery.getOutboundEventId(), "handoff-failed"),
                    delivery.getTraceId(), delivery.getOccurredAt(), session, HandoffFailed.newBuilder()
                            .setReason(String.valueOf(delivery.getErrorMessage()))
                            .setOutboundEventId(delivery.getOutboundEventId())
                            .setHandoffData(delivery.getHandoffData()).build()));
            log.warn("Handoff failed ({}): the agent is told and keeps the conversation", delivery.getErrorMessage());
            return out;
        }
        if (state == null || state.ended()) {
            state = new ConversationState(session, now);
        }
        AgentEvent ended = agentEvent(EventIds.derived(delivery.getOutboundEventId(), "handoff"), delivery.getTraceId(),
                delivery.getOccurredAt(), state.session, ConversationEnded.newBuilder().setReason(EndReason.HANDOFF)
                        .setHandoffData(delivery.getHandoffData()).build());
        state.markEnded(EndReason.HANDOFF, now);
        out.put(state).emit(ended);
        log.info("Conversation handed off to a human (Studio accepted it): agents no longer receive it");
        return out;
    }

    private void messageReceived(SessionOutcome out, InboundEvent event, MessageReceived message, ConversationState state,
            long now) {
        if (state != null && state.ended() && state.endReason == EndReason.HANDOFF) {
            // a human has it now; keep the mark while the conversation is in use
            state.endedAtMillis = now;
            out.put(state);
            log.debug("Message {} of a handed-off conversation not routed", event.getEventId());
            out.dropped("handed_off");
            return;
        }
        if (state == null || state.ended()) {
            if (state != null) {
                log.info("Message after the conversation ended ({}): a new session starts", state.endReason);
            }
            Session session = Session.newBuilder()
                    .setConversationId(event.getConversationId())
                    .setChannel(message.getChannel())
                    .setSource(event.getSource())
                    .setStartedAt(event.getOccurredAt())
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
        touch(out, state, now);
        if (isBlank(message.getText())) {
            log.debug("Empty message {} not routed", event.getEventId());
            out.dropped("empty_message");
            return;
        }
        emitMessage(out, event, state, message.getChannel(), MessageReady.newBuilder()
                .setMessageId(event.getEventId())
                .setText(message.getText())
                .setLang(null)
                .setTurn(-1)
                .setChannelId(message.getChannelId())
                .setMemory(null)
                .build());
    }

    private void stateChanged(SessionOutcome out, InboundEvent event, ConversationStateChanged change,
            ConversationState state, long now) {
        if (state != null && state.ended() && state.endReason == EndReason.HANDOFF
                && change.getStatus() == ConversationStatus.CLOSED) {
            out.delete(state);
            log.info("Handed-off conversation closed: a later message starts a new session");
            return;
        }
        if (state == null || state.ended()) {
            log.debug("Conversation state {} for a conversation without a live session: nothing to do", change.getStatus());
            out.dropped(state == null ? "no_session" : "already_ended");
            return;
        }
        ConversationStatus previous = state.status;
        state.status = change.getStatus();
        if (change.getStatus() == ConversationStatus.INACTIVE && state.memory != null) {
            state.memory = null; // memory_mode once: the next message fetches it again (TAC)
            log.debug("Cached memory dropped: the conversation is inactive");
        }
        if (change.getStatus() == ConversationStatus.CLOSED) {
            end(out, state, EndReason.CLOSED, null, EventIds.derived(event.getEventId(), "agent"), event.getTraceId(),
                    event.getOccurredAt(), now);
            return;
        }
        out.put(state);
        log.info("Conversation status {} -> {}", previous, change.getStatus());
    }

    // ---- timers ----

    /**
     * The inactivity timer of one conversation: a live one idle for the inactivity timeout ends; a tombstone older than
     * it is forgotten. Idle time counts from {@code notBeforeMillis} at the earliest (when the task started), so after a
     * restart or a move a conversation is not ended before the backlog of its events has been processed.
     */
    SessionOutcome inactivity(ConversationState state, long now, long notBeforeMillis) {
        SessionOutcome out = new SessionOutcome();
        long since = Math.max(notBeforeMillis, state.ended() ? state.endedAtMillis : state.lastActivityMillis);
        if (now - since < inactivityTimeout.toMillis()) {
            return out;
        }
        if (state.ended()) {
            return out.delete(state);
        }
        end(out, state, EndReason.INACTIVITY_TIMEOUT, null,
                EventIds.derived(state.conversationId(), "inactivity", Long.toString(state.lastActivityMillis)),
                EventIds.newTraceId(), Instant.ofEpochMilli(now), now);
        return out;
    }

    /**
     * The call-end grace of a relay-only call ran out without the action callback: the conversation ends without its
     * HandoffData (the timer is cleared in any case).
     */
    SessionOutcome callEndGraceOver(ConversationState state, long now) {
        SessionOutcome out = new SessionOutcome().clearCallEndTimer();
        if (state == null || state.ended() || state.callClosedAtMillis == null) {
            return out;
        }
        log.info("No action callback within {} after the socket closed", callEndGrace);
        end(out, state, EndReason.CALL_ENDED, null,
                EventIds.derived(state.conversationId(), "call-closed", Objects.toString(state.session.getRelaySessionId())),
                EventIds.newTraceId(), Instant.ofEpochMilli(now), now);
        return out;
    }

    // ---- memory ----

    /** The memory a held message's fetch found, as the session keeps it: {@code once} caches it until INACTIVE. */
    static boolean cacheMemory(ConversationState state, Memory found, boolean once) {
        if (!once || found == null || state == null || state.ended()) {
            return false;
        }
        state.memory = found;
        return true;
    }

    /** Emits a message-ready with the memory its channel's mode asks for, or holds it while the memory is fetched. */
    private void emitMessage(SessionOutcome out, InboundEvent in, ConversationState state, Channel channel,
            MessageReady message) {
        MemoryMode mode = memory.modeFor(channel);
        if (mode == MemoryMode.NEVER) {
            emit(out, in, state, channel, message);
            return;
        }
        if (channel == Channel.VOICE && !state.orchestrated) {
            // relay-only voice: no Conversation Orchestrator, no memory; TAC answers an empty one without a call
            message.setMemory(Memory.newBuilder().build());
            emit(out, in, state, channel, message);
            return;
        }
        if (mode == MemoryMode.ONCE && state.memory != null) {
            message.setMemory(state.memory);
            emit(out, in, state, channel, message);
            return;
        }
        out.hold(agentEvent(EventIds.derived(in.getEventId(), "agent"), in.getTraceId(), in.getOccurredAt(),
                state.sessionFor(channel), message), mode == MemoryMode.ONCE);
    }

    // ---- helpers ----

    private static void end(SessionOutcome out, ConversationState state, EndReason reason, String handoffData,
            String eventId, String traceId, Instant occurredAt, long now) {
        AgentEvent ended = agentEvent(eventId, traceId, occurredAt, state.session,
                ConversationEnded.newBuilder().setReason(reason).setHandoffData(handoffData).build());
        state.markEnded(reason, now);
        out.put(state).clearCallEndTimer().emit(ended);
        log.info("Conversation ended: {}", reason);
    }

    private static void touch(SessionOutcome out, ConversationState state, long now) {
        state.lastActivityMillis = now;
        out.put(state);
    }

    private static void emit(SessionOutcome out, InboundEvent in, ConversationState state, Channel channel,
            SpecificRecord payload) {
        out.emit(agentEvent(EventIds.derived(in.getEventId(), "agent"), in.getTraceId(), in.getOccurredAt(),
                state.sessionFor(channel), payload));
    }

    static AgentEvent agentEvent(String eventId, String traceId, Instant occurredAt, Session session,
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

    /** The payload type of an inbound event, for logs and metrics. */
    static String typeOf(InboundEvent event) {
        return event.getPayload() == null ? "none" : event.getPayload().getClass().getSimpleName();
    }

    static boolean isBlank(String text) {
        return text == null || text.isBlank();
    }

    private static String blankToNull(String text) {
        return isBlank(text) ? null : text;
    }

    private static <T> T firstNonNull(T first, T second) {
        return first != null ? first : second;
    }
}
