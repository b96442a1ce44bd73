package io.switchboard.outbound.messaging;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.studio.v2.flow.Execution;
import com.twilio.type.PhoneNumber;
import io.switchboard.events.Handoff;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Session;
import io.switchboard.events.Source;
import io.switchboard.twilio.OrchestratorClient;
import io.switchboard.twilio.Retrier;
import io.switchboard.twilio.TwilioCallException;
import io.switchboard.outbound.voice.VoiceFrames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A messaging handoff, as TAC's handoff tool does it: the Orchestrator conversation is set {@code INACTIVE} and its
 * status callbacks are cleared (failures of these two are logged, not fatal), then, when
 * {@code TWILIO_STUDIO_HANDOFF_FLOW_SID} is set, a Studio execution starts with {@code To} = the customer,
 * {@code From} = the agent's address and {@code Parameters = {"HandoffData": {…}}}. A failed execution fails the
 * handoff (the customer would be stranded).
 */
final class HandoffSender {
    private static final Logger log = LoggerFactory.getLogger(HandoffSender.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OrchestratorClient orchestrator;
    private final TwilioRestClient sdk;
    private final Retrier retrier;
    private final String flowSid;

    HandoffSender(OrchestratorClient orchestrator, TwilioRestClient sdk, Retrier retrier, String flowSid) {
        this.orchestrator = orchestrator;
        this.sdk = sdk;
        this.retrier = retrier;
        this.flowSid = flowSid;
    }

    SendResult handoff(OutboundEvent event, String agentAddress) {
        Session session = event.getSession();
        String conversationId = session.getConversationId();
        int attempts = 0;
        if (session.getSource() == Source.ORCHESTRATOR) {
            try {
                attempts += retrier.call("v2.conversations.update", true, () -> {
                    orchestrator.updateStatus(conversationId, "INACTIVE");
                    return null;
                }).attempts();
            } catch (Retrier.Exhausted e) {
                attempts += e.attempts();
                log.warn("Handoff: could not set the conversation INACTIVE: {}", e.last().getMessage());
            }
            try {
                attempts += retrier.call("v2.conversations.patch", true, () -> {
                    orchestrator.clearStatusCallbacks(conversationId);
                    return null;
                }).attempts();
            } catch (Retrier.Exhausted e) {
                attempts += e.attempts();
                log.warn("Handoff: could not clear the status callbacks: {}", e.last().getMessage());
            }
        }
        if (flowSid == null) {
            log.info("Handoff done (no Studio flow configured)");
            return new SendResult(List.of(), attempts, 200, null);
        }
        String to = session.getFrom();
        String from = agentAddress;
        Map<String, Object> parameters;
        try {
            parameters = Map.of("HandoffData", JSON.readValue(
                    VoiceFrames.handoffData(event, (Handoff) event.getPayload()), new TypeReference<Map<String, Object>>() { }));
        } catch (Exception e) {
            throw new IllegalStateException("Cannot build HandoffData", e);
        }
        List<String> ids = new ArrayList<>();
        try {
            Retrier.Attempted<String> created = retrier.call("studio.executions.create", false,
                    () -> createExecution(to, from, parameters));
            ids.add(created.value());
            log.info("Handoff: Studio execution {} started", created.value());
            return new SendResult(ids, attempts + created.attempts(), 201, null);
        } catch (Retrier.Exhausted e) {
            return new SendResult(ids, attempts + e.attempts(), e.last().httpStatus(), e.last());
        }
    }

    private String createExecution(String to, String from, Map<String, Object> parameters) {
        return TwilioCallException.sdkCall(() -> Execution.creator(flowSid, new PhoneNumber(to == null ? "" : to),
                new PhoneNumber(from == null ? "" : from)).setParameters(parameters).create(sdk).getSid());
    }
}
