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
import io.switchboard.twilio.Retrier;
import io.switchboard.twilio.TwilioCallException;
import io.switchboard.outbound.handoff.ConversationRelease;
import io.switchboard.outbound.handoff.HandoffData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A messaging handoff, as TAC's handoff tool does it: the Orchestrator conversation is set {@code INACTIVE} and its
 * status callbacks are cleared ({@link ConversationRelease}; failures of these two are logged, not fatal), then, when
 * {@code TWILIO_STUDIO_HANDOFF_FLOW_SID} is set, a Studio execution starts with {@code To} = the customer,
 * {@code From} = the agent's address and {@code Parameters = {"HandoffData": {…}}} ({@link HandoffData}, TAC's shape). A failed execution fails the
 * handoff (the customer would be stranded).
 */
final class HandoffSender {
    private static final Logger log = LoggerFactory.getLogger(HandoffSender.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ConversationRelease release;
    private final TwilioRestClient sdk;
    private final Retrier retrier;
    private final String flowSid;
    private final String storeId;

    HandoffSender(ConversationRelease release, TwilioRestClient sdk, Retrier retrier, String flowSid, String storeId) {
        this.release = release;
        this.sdk = sdk;
        this.retrier = retrier;
        this.flowSid = flowSid;
        this.storeId = storeId;
    }

    SendResult handoff(OutboundEvent event, String agentAddress) {
        Session session = event.getSession();
        String conversationId = session.getConversationId();
        int attempts = 0;
        if (session.getSource() == Source.ORCHESTRATOR) {
            attempts += release.release(conversationId);
        }
        if (flowSid == null) {
            log.info("Handoff done (no Studio flow configured)");
            return new SendResult(List.of(), attempts, 200, null);
        }
        String to = session.getFrom();
        String from = agentAddress;
        Map<String, Object> parameters;
        try {
            parameters = Map.of("HandoffData", JSON.convertValue(
                    HandoffData.of(event, (Handoff) event.getPayload(), storeId), new TypeReference<Map<String, Object>>() { }));
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
