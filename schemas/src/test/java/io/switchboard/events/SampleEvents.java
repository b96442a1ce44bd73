package io.switchboard.events;

import io.switchboard.events.agent.AgentDtmf;
import io.switchboard.events.ci.IntelligenceConfiguration;
import io.switchboard.events.ci.IntelligenceParticipant;
import io.switchboard.events.ci.OperatorResult;
import io.switchboard.events.agent.AgentInterrupt;
import io.switchboard.events.agent.ConversationEnded;
import io.switchboard.events.agent.EndReason;
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
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** One event of every type and payload, with every field set, for round-trip and compatibility tests. */
public final class SampleEvents {
    public static final Instant AT = Instant.parse("2026-11-24T10:15:30Z");
    public static final String CALL = "CA00000000000000000000000000000001";
    public static final String CONVERSATION = "conv_conversation_01jd0000000000000000000001";

    private SampleEvents() {
    }

    public static Session voiceSession() {
        return Session.newBuilder().setConversationId(CALL).setChannel(Channel.VOICE).setSource(Source.RELAY)
                .setStartedAt(AT).setCallSid(CALL).setRelaySessionId("VX00000000000000000000000000000001")
                .setFrom("+15559876543").setTo("+15551234567").setProfileId("mem_profile_01")
                .setCustomParameters(Map.of("profileId", "mem_profile_01")).setIngressInstance(1).build();
    }

    public static Session smsSession() {
        return Session.newBuilder().setConversationId(CONVERSATION).setChannel(Channel.SMS)
                .setSource(Source.ORCHESTRATOR).setStartedAt(AT).setFrom("+15559876543").setTo("+15551234567")
                .setCustomerParticipantId("conv_participant_cust").setAgentParticipantId("conv_participant_agent")
                .setChannelId("SM00000000000000000000000000000001")
                .build();
    }

    /** The call events (schema v5), on tac.inbound.v1 and, as they are, on tac.agent.v1. */
    public static List<SpecificRecord> callEvents() {
        return List.of(
                io.switchboard.events.call.CallStatus.newBuilder().setCallSid(CALL).setCallStatus("completed")
                        .setAccountSid("AC0").setFrom("+15551234567").setTo("+15559876543").setDirection("outbound-api")
                        .setCallDurationSeconds(42L).setSequenceNumber(3).setTimestamp("Tue, 24 Nov 2026 10:15:30 +0000")
                        .setCallbackSource("call-progress-events").setAnsweredBy("human").setSipResponseCode("200")
                        .setParentCallSid(null).build(),
                io.switchboard.events.call.AmdResult.newBuilder().setCallSid(CALL).setAnsweredBy("machine_end_beep")
                        .setAccountSid("AC0").setMachineDetectionDurationMs(4200L).build(),
                io.switchboard.events.call.RecordingStatus.newBuilder().setCallSid(CALL)
                        .setRecordingSid("RE00000000000000000000000000000001").setRecordingStatus("completed")
                        .setAccountSid("AC0").setRecordingUrl("https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE1")
                        .setRecordingDurationSeconds(40L).setRecordingChannels(1).setRecordingSource("OutboundAPI")
                        .setRecordingStartTime("Tue, 24 Nov 2026 10:14:50 +0000").setErrorCode(null).build());
    }

    public static List<SpecificRecord> payloadsOfInbound() {
        List<SpecificRecord> payloads = new ArrayList<>(List.of(
                MessageReceived.newBuilder().setChannel(Channel.SMS).setText("Hi, where is my order?")
                        .setAuthorAddress("+15559876543").setAuthorParticipantId("conv_participant_cust")
                        .setRecipientAddress("+15551234567").setCommunicationId("comms_communication_01")
                        .setChannelId("SM00000000000000000000000000000001").setAccountSid("AC0").setAttributes("{}")
                        .build(),
                CallStarted.newBuilder().setSessionId("VX00000000000000000000000000000001").setCallSid(CALL)
                        .setParentCallSid("").setFrom("+15559876543").setTo("+15551234567").setForwardedFrom("")
                        .setCallerName("").setDirection("inbound").setCallType("PSTN").setCallStatus("RINGING")
                        .setAccountSid("AC0").setCustomParameters(Map.of("profileId", "mem_profile_01"))
                        .setIngressInstance(1).setOrchestrated(true).setProfileId("mem_profile_01")
                        .setCustomerParticipantId("conv_participant_01").setAiAgentParticipantId("conv_participant_02")
                        .setCustomerAddress("+15559876543").build(),
                Prompt.newBuilder().setVoicePrompt("I want to change my delivery address.").setLang("en-US")
                        .setLast(true).setTurn(3).build(),
                Interrupt.newBuilder().setUtteranceUntilInterrupt("Sure, I can help you change")
                        .setDurationUntilInterruptMs(1460).setTurn(4).build(),
                Dtmf.newBuilder().setDigit("1").build(),
                CallEnded.newBuilder().setReason(CallEndReason.ACTION_CALLBACK).setCallSid(CALL)
                        .setSessionId("VX00000000000000000000000000000001").setAccountSid("AC0")
                        .setCallStatus("in-progress").setSessionStatus("ended").setSessionDurationSeconds(42L)
                        .setHandoffData("{\"reason\":\"human\"}").setErrorCode(null).setErrorMessage(null).build(),
                ConversationStateChanged.newBuilder().setStatus(ConversationStatus.INACTIVE)
                        .setPreviousStatus(ConversationStatus.ACTIVE).build(),
                RelayError.newBuilder().setDescription("Invalid message received").build(),
                RelayInfo.newBuilder().setJson("{\"type\":\"info\"}").build()));
        payloads.addAll(callEvents());
        return payloads;
    }

    public static List<SpecificRecord> payloadsOfAgent() {
        Memory memory = Memory.newBuilder()
                .setObservations(List.of(Observation.newBuilder().setId("obs1").setContent("Prefers email")
                        .setCreatedAtMillis(AT.toEpochMilli()).setScore(0.8).build()))
                .setSummaries(List.of(Summary.newBuilder().setId("sum1").setContent("Asked about an order").build()))
                .setCommunications(List.of(PastCommunication.newBuilder().setText("hello").setChannel(Channel.SMS)
                        .setAuthorAddress("+15559876543").setOccurredAtMillis(AT.toEpochMilli()).build()))
                .build();
        List<SpecificRecord> payloads = new ArrayList<>(List.of(
                MessageReady.newBuilder().setMessageId("m1").setText("hello").setLang("en-US").setTurn(3)
                        .setChannelId("SM1").setMemory(memory).build(),
                AgentInterrupt.newBuilder().setUtteranceUntilInterrupt("Sure").setDurationUntilInterruptMs(1460)
                        .setTurn(4).build(),
                AgentDtmf.newBuilder().setDigit("1").build(),
                ConversationEnded.newBuilder().setReason(EndReason.CALL_ENDED).setHandoffData("{}").build(),
                io.switchboard.events.agent.HandoffFailed.newBuilder().setReason("Studio answered 500")
                        .setOutboundEventId("out-1").setHandoffData("{\"conversationId\":\"" + CONVERSATION + "\"}").build(),
                io.switchboard.events.agent.CallConnected.newBuilder().setCallSid(CALL)
                        .setSessionId("VX00000000000000000000000000000001").setParentCallSid(null)
                        .setFrom("+15559876543").setTo("+15551234567").setForwardedFrom(null).setCallerName("Ada")
                        .setDirection("inbound").setCallType("PSTN").setCallStatus("RINGING").setAccountSid("AC0")
                        .setCustomParameters(Map.of("profileId", "mem_profile_01")).build()));
        payloads.addAll(callEvents());
        return payloads;
    }

    public static List<SpecificRecord> frames() {
        return List.of(
                Reply.newBuilder().setReplyId("r1").setSequence(2).setText("Sure, ").setLast(false)
                        .setInterruptible(true).setPreemptible(false).setLang("en-US").build(),
                Play.newBuilder().setSource("https://example.com/hold.mp3").setLoop(1).setPreemptible(true)
                        .setInterruptible(true).build(),
                SendDigits.newBuilder().setDigits("9www1234").build(),
                SetLanguage.newBuilder().setTtsLanguage("es-MX").setTranscriptionLanguage("es-MX").build(),
                EndSession.newBuilder().setHandoffData("{\"reasonCode\":\"live-agent-handoff\"}").build());
    }

    /** Every top-level event: one per payload type of each topic. */
    public static List<SpecificRecord> all() {
        List<SpecificRecord> all = new ArrayList<>();
        int n = 0;
        for (SpecificRecord payload : payloadsOfInbound()) {
            all.add(InboundEvent.newBuilder().setEventId("in-" + n++).setConversationId(CALL).setOccurredAt(AT)
                    .setTraceId("trace").setSource(Source.RELAY).setPayload(payload).build());
        }
        for (SpecificRecord payload : payloadsOfAgent()) {
            all.add(AgentEvent.newBuilder().setEventId("ag-" + n++).setConversationId(CALL).setOccurredAt(AT)
                    .setTraceId("trace").setSession(voiceSession()).setPayload(payload).build());
        }
        List<SpecificRecord> outboundPayloads = new ArrayList<>(frames());
        outboundPayloads.add(Handoff.newBuilder().setReason("asked for a human").setAttributes(Map.of("k", "v")).build());
        outboundPayloads.add(Typing.newBuilder().setMessageId("SM00000000000000000000000000000001").build());
        for (SpecificRecord payload : outboundPayloads) {
            all.add(OutboundEvent.newBuilder().setEventId("out-" + n++).setConversationId(CONVERSATION)
                    .setOccurredAt(AT).setTraceId("trace").setInReplyTo("ag-1").setTurn(3).setSession(smsSession())
                    .setPayload(payload).build());
        }
        for (SpecificRecord frame : frames()) {
            all.add(VoiceFrame.newBuilder().setEventId("vf-" + n++).setConversationId(CALL).setCallSid(CALL)
                    .setOccurredAt(AT).setTraceId("trace").setTurn(3).setFrame(frame).build());
        }
        all.add(DeliveryEvent.newBuilder().setEventId("dl-" + n++).setConversationId(CONVERSATION).setOccurredAt(AT)
                .setTraceId("trace").setOutboundEventId("out-1").setChannel(Channel.WHATSAPP)
                .setStatus(DeliveryStatus.FAILED).setAttempts(3).setTwilioId(null).setHttpStatus(400)
                .setErrorCode(21211).setErrorMessage("Invalid 'To' Phone Number").setHandoffData(null).build());
        all.add(intelligence("ci-" + n++));
        all.add(DeadLetter.newBuilder().setEventId("dlq-" + n).setOccurredAt(AT).setService("outbound-sender")
                .setOriginTopic("tac.outbound.v1").setOriginPartition(3).setOriginOffset(42L)
                .setConversationId(CONVERSATION).setOriginalKey(ByteBuffer.wrap(new byte[] {1, 2}))
                .setOriginalValue(ByteBuffer.wrap(new byte[] {3})).setErrorClass("java.lang.IllegalStateException")
                .setErrorMessage("boom").build());
        return all;
    }

    public static IntelligenceEvent intelligence(String eventId) {
        return IntelligenceEvent.newBuilder().setEventId(eventId).setConversationId(CONVERSATION).setOccurredAt(AT)
                .setTraceId("trace").setAccountId("AC0").setMemoryStoreId("mem_store_01")
                .setConfiguration(IntelligenceConfiguration.newBuilder().setId("intelligence_configuration_01")
                        .setFriendlyName("Support").setVersion("3").build())
                .setOperatorResults(List.of(OperatorResult.newBuilder().setId("intelligence_operatorresult_01")
                        .setOperatorId("LY00000000000000000000000000000001").setOutputFormat("JSON")
                        .setResultJson("{\"payload\":{\"observations\":[{\"content\":\"Prefers email\"}]}}")
                        .setDateCreated("2026-11-24T10:16:00Z").setTriggerOn("CONVERSATION_END")
                        .setTriggerTimestamp("2026-11-24T10:15:59Z")
                        .setParticipants(List.of(IntelligenceParticipant.newBuilder().setId("conv_participant_cust")
                                .setProfileId("mem_profile_01").setType("CUSTOMER").build()))
                        .build()))
                .build();
    }

    /** A short name for a sample: the record type, and its payload type where it has one. */
    public static String nameOf(SpecificRecord event) {
        String name = event.getSchema().getName();
        Object payload = event.getSchema().getField("payload") != null ? event.get(event.getSchema().getField("payload").pos())
                : event.getSchema().getField("frame") != null ? event.get(event.getSchema().getField("frame").pos()) : null;
        return payload == null ? name : name + "." + ((SpecificRecord) payload).getSchema().getName();
    }
}
