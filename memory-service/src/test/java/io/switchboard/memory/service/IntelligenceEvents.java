package io.switchboard.memory.service;

import io.switchboard.events.IntelligenceEvent;
import io.switchboard.events.ci.IntelligenceConfiguration;
import io.switchboard.events.ci.IntelligenceParticipant;
import io.switchboard.events.ci.OperatorResult;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Conversation Intelligence events as ingress writes them to tac.ci.v1: operator results of a customer and an AI agent. */
final class IntelligenceEvents {
    static final String OBSERVATIONS = "LY0000000000000000000000000000obs";
    static final String SUMMARIES = "LY0000000000000000000000000000sum";
    static final String STORE = "mem_store_01ci";
    static final String AGENT_PROFILE = "mem_profile_agent";
    static final String CREATED = "2026-11-24T10:20:00Z";

    static final String OBSERVED = "{\"payload\":{\"observations\":[{\"content\":\"Prefers a call after 5pm\"},"
            + "{\"content\":\"Has two dogs\"}]}}";
    static final String SUMMARISED = "{\"payload\":\"{\\\"summary\\\":\\\"Asked to move the delivery to Friday.\\\"}\"}";

    private IntelligenceEvents() {
    }

    static String id(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "");
    }

    static OperatorResult result(String id, String operatorId, String resultJson, String customerProfile) {
        return OperatorResult.newBuilder().setId(id).setOperatorId(operatorId).setOutputFormat("JSON")
                .setResultJson(resultJson).setDateCreated(CREATED).setTriggerOn("CONVERSATION_END")
                .setParticipants(List.of(
                        IntelligenceParticipant.newBuilder().setId("p1").setProfileId(customerProfile).setType("CUSTOMER").build(),
                        IntelligenceParticipant.newBuilder().setId("p2").setProfileId(AGENT_PROFILE).setType("AI_AGENT").build()))
                .build();
    }

    static IntelligenceEvent event(String conversationId, OperatorResult... results) {
        return IntelligenceEvent.newBuilder().setEventId("ci_" + UUID.randomUUID()).setConversationId(conversationId)
                .setOccurredAt(Instant.now()).setTraceId("t").setAccountId("AC0").setMemoryStoreId(STORE)
                .setConfiguration(IntelligenceConfiguration.newBuilder().setId("intelligence_configuration_01").build())
                .setOperatorResults(List.of(results)).build();
    }
}
