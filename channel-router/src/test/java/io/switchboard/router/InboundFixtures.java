package io.switchboard.router;

import io.switchboard.events.Channel;
import io.switchboard.events.ConversationStatus;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.Source;
import io.switchboard.events.inbound.CallEndReason;
import io.switchboard.events.inbound.CallEnded;
import io.switchboard.events.inbound.CallStarted;
import io.switchboard.events.inbound.ConversationStateChanged;
import io.switchboard.events.inbound.Dtmf;
import io.switchboard.events.inbound.Interrupt;
import io.switchboard.events.inbound.MessageReceived;
import io.switchboard.events.inbound.Prompt;
import io.switchboard.ids.EventIds;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;

/**
 * Inbound events as ingress writes them (docs/CONTRACTS.md), shaped after the sample payloads of
 * shared/reference/samples: one call or one messaging conversation per instance, with unique ids per test.
 */
final class InboundFixtures {
    static final String CUSTOMER = "+15559876543";
    static final String BUSINESS = "+15551234567";

    private InboundFixtures() {
    }

    static String callSid() {
        return "CA" + UUID.randomUUID().toString().replace("-", "");
    }

    static String conversationId() {
        return "conv_conversation_" + UUID.randomUUID().toString().replace("-", "");
    }

    /** A ConversationRelay call: frames numbered like ingress does (setup = 0, +1 per frame). */
    static final class Call {
        final String callSid;
        final String conversationId;
        final String relaySessionId;
        final int ingressInstance;
        final Map<String, String> customParameters;
        private long seq;

        /** Relay-only: the conversation id is the call SID. */
        static Call relayOnly() {
            String sid = callSid();
            return new Call(sid, sid, Map.of("profileId", "mem_profile_01"), 1);
        }

        /** Orchestrated: the conversation id arrives as the `conversationId` custom parameter. */
        static Call orchestrated(String conversationId) {
            return new Call(callSid(), conversationId, Map.of("conversationId", conversationId,
                    "profileId", "mem_profile_02", "customerParticipantId", "conv_participant_cust",
                    "aiAgentParticipantId", "conv_participant_agent"), 2);
        }

        Call(String callSid, String conversationId, Map<String, String> customParameters, int ingressInstance) {
            this.callSid = callSid;
            this.conversationId = conversationId;
            this.relaySessionId = "VX" + UUID.randomUUID().toString().replace("-", "");
            this.customParameters = new HashMap<>(customParameters);
            this.ingressInstance = ingressInstance;
        }

        InboundEvent setup() {
            return frame(0, CallStarted.newBuilder().setSessionId(relaySessionId).setCallSid(callSid).setParentCallSid("")
                    .setFrom(CUSTOMER).setTo(BUSINESS).setForwardedFrom("").setCallerName("").setDirection("inbound")
                    .setCallType("PSTN").setCallStatus("RINGING").setAccountSid("AC0")
                    .setCustomParameters(customParameters).setIngressInstance(ingressInstance).build());
        }

        InboundEvent prompt(String text, boolean last) {
            long turn = ++seq;
            return frame(turn, Prompt.newBuilder().setVoicePrompt(text).setLang("en-US").setLast(last).setTurn(turn).build());
        }

        InboundEvent interrupt(String utterance, long durationMs) {
            long turn = ++seq;
            return frame(turn, Interrupt.newBuilder().setUtteranceUntilInterrupt(utterance)
                    .setDurationUntilInterruptMs(durationMs).setTurn(turn).build());
        }

        InboundEvent dtmf(String digit) {
            return frame(++seq, Dtmf.newBuilder().setDigit(digit).build());
        }

        InboundEvent socketClosed() {
            return event(EventIds.derived(relaySessionId, "closed"), Source.RELAY, CallEnded.newBuilder()
                    .setReason(CallEndReason.SOCKET_CLOSED).setCallSid(callSid).setSessionId(relaySessionId)
                    .setCloseCode(1000).build());
        }

        InboundEvent actionCallback(String handoffData) {
            return event(EventIds.derived(callSid, "callback"), Source.RELAY, CallEnded.newBuilder()
                    .setReason(CallEndReason.ACTION_CALLBACK).setCallSid(callSid).setSessionId(relaySessionId)
                    .setAccountSid("AC0").setCallStatus("in-progress").setSessionStatus("ended")
                    .setSessionDurationSeconds(42L).setHandoffData(handoffData).build());
        }

        /** Twilio's status callback, as ingress publishes it. */
        InboundEvent status(String callStatus, int sequenceNumber) {
            return event(EventIds.derived(callSid, "status", callStatus, Integer.toString(sequenceNumber)), Source.RELAY,
                    io.switchboard.events.call.CallStatus.newBuilder().setCallSid(callSid).setCallStatus(callStatus)
                            .setAccountSid("AC0").setSequenceNumber(sequenceNumber).build());
        }

        private InboundEvent frame(long seq, SpecificRecord payload) {
            return event(EventIds.derived(relaySessionId, "frame", Long.toString(seq)), Source.RELAY, payload);
        }

        private InboundEvent event(String eventId, Source source, SpecificRecord payload) {
            return InboundFixtures.event(eventId, conversationId, source, payload);
        }
    }

    /** A Conversation Orchestrator messaging conversation. */
    static final class Chat {
        final String conversationId = conversationId();
        final Channel channel;
        private int n;

        Chat(Channel channel) {
            this.channel = channel;
        }

        InboundEvent message(String text) {
            String communicationId = "comms_communication_" + UUID.randomUUID().toString().replace("-", "");
            String messageSid = "SM" + (++n) + UUID.randomUUID().toString().replace("-", "");
            return event(communicationId, conversationId, Source.ORCHESTRATOR, MessageReceived.newBuilder()
                    .setChannel(channel).setText(text).setAuthorAddress(CUSTOMER)
                    .setAuthorParticipantId("conv_participant_cust").setRecipientAddress(BUSINESS)
                    .setRecipientParticipantId("conv_participant_agent").setCommunicationId(communicationId)
                    .setChannelId(messageSid).setAccountSid("AC0").setProfileId("mem_profile_03").build());
        }

        InboundEvent status(ConversationStatus status) {
            return stateChange(conversationId, status);
        }
    }

    static InboundEvent stateChange(String conversationId, ConversationStatus status) {
        return event(EventIds.derived(conversationId, "state", status.name(), UUID.randomUUID().toString()),
                conversationId, Source.ORCHESTRATOR,
                ConversationStateChanged.newBuilder().setStatus(status).setPreviousStatus(null).build());
    }

    static InboundEvent event(String eventId, String conversationId, Source source, SpecificRecord payload) {
        return InboundEvent.newBuilder().setEventId(eventId).setConversationId(conversationId)
                .setOccurredAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)).setTraceId(EventIds.newTraceId()).setSource(source)
                .setPayload(payload).build();
    }
}
