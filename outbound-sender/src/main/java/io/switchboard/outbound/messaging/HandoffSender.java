package io.switchboard.outbound.messaging;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.studio.v2.flow.Execution;
import com.twilio.type.PhoneNumber;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Session;
import io.switchboard.events.Source;
import io.switchboard.twilio.Retrier;
import io.switchboard.twilio.TwilioCallException;
import io.switchboard.outbound.handoff.ConversationRelease;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A messaging handoff, as TAC's handoff tool does it, in a safer order: first the Studio execution
 * ({@code POST /v2/Flows/{FW}/Executions}, form {@code To} = the customer, {@code From} = the agent's address,
 * {@code Parameters = {"HandoffData": {…}}}, TAC's shape); only once Studio accepted it is the Orchestrator conversation set
 * {@code INACTIVE} and its status callbacks cleared ({@link ConversationRelease}). TAC clears them first, so a Studio failure there leaves the
 * customer in a conversation nobody listens to; here a failed execution changes nothing and the agent keeps the
 * conversation. Failures of the two Orchestrator calls after an accepted execution are logged only: a human has the
 * conversation by then.
 */
final class HandoffSender {
    private static final Logger log = LoggerFactory.getLogger(HandoffSender.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ConversationRelease release;
    private final TwilioRestClient sdk;
    private final Retrier retrier;
    private final String flowSid;

    HandoffSender(ConversationRelease release, TwilioRestClient sdk, Retrier retrier, String flowSid) {
        this.release = release;
        this.sdk = sdk;
        this.retrier = retrier;
        this.flowSid = flowSid;
    }

    /** Whether a Studio flow is configured: without one a messaging handoff is refused (nobody would take it). */
    boolean configured() {
        return flowSid != null;
    }

    /** Hands the conversation over; blocking. {@code handoffData} is TAC's HandoffData JSON. */
    SendResult handoff(OutboundEvent event, String agentAddress, String handoffData) {
        if (flowSid == null) {
            throw new IllegalStateException("No Studio handoff flow configured");
        }
        Session session = event.getSession();
        Map<String, Object> parameters;
        try {
            parameters = Map.of("HandoffData", JSON.readValue(handoffData, new TypeReference<Map<String, Object>>() { }));
        } catch (Exception e) {
            throw new IllegalStateException("HandoffData is not a JSON object: " + e.getMessage(), e);
        }
        Retrier.Attempted<String> created;
        try {
            created = retrier.call("studio.executions.create", false,
                    () -> createExecution(session.getFrom(), agentAddress, parameters));
        } catch (Retrier.Exhausted e) {
            log.warn("Handoff: Studio did not accept the execution (status {}): {}; the conversation stays with the agent",
                    e.last().httpStatus(), e.last().getMessage());
            return new SendResult(List.of(), e.attempts(), e.last().httpStatus(), e.last());
        }
        log.info("Handoff: Studio execution {} started", created.value());
        int attempts = created.attempts();
        if (session.getSource() == Source.ORCHESTRATOR) {
            attempts += release.release(session.getConversationId());
        }
        return new SendResult(List.of(created.value()), attempts, 201, null);
    }

    private String createExecution(String to, String from, Map<String, Object> parameters) {
        return TwilioCallException.sdkCall(() -> Execution.creator(flowSid, new PhoneNumber(to == null ? "" : to),
                new PhoneNumber(from == null ? "" : from)).setParameters(parameters).create(sdk).getSid());
    }
}
