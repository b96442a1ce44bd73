package io.switchboard.agent;

import io.switchboard.events.IntelligenceEvent;
import io.switchboard.events.ci.IntelligenceParticipant;
import java.util.List;

/**
 * Conversation Intelligence operator results for one conversation, as Twilio posted them to {@code /ci-webhook}
 * (read from {@code tac.ci.v1}). Each result's value is the JSON text Twilio sent: its meaning depends on the
 * operator (e.g. {@code {"payload":{"observations":[…]}}} for a JSON operator).
 *
 * @param eventId         derived from the operator result ids: a retried webhook has the same id
 * @param conversationId  the conversation the results are about
 * @param accountId       Twilio account (AC...)
 * @param memoryStoreId   the Memory store of the conversation's profiles, if any
 * @param configurationId the Conversation Intelligence configuration that produced the results
 * @param configurationName its friendly name, if sent
 * @param configurationVersion its version, as text, if sent
 * @param operatorResults the results, in the order Twilio sent them
 */
public record CiResult(String eventId, String conversationId, String accountId, String memoryStoreId,
                       String configurationId, String configurationName, String configurationVersion,
                       List<OperatorResult> operatorResults) {

    /**
     * One operator's result.
     *
     * @param resultJson       the {@code result} value as JSON text
     * @param triggerOn        what triggered the operator ({@code executionDetails.trigger.on})
     * @param triggerTimestamp when ({@code executionDetails.trigger.timestamp})
     */
    public record OperatorResult(String id, String operatorId, String outputFormat, String resultJson,
                                 String dateCreated, String triggerOn, String triggerTimestamp,
                                 List<Participant> participants) {
    }

    /** A participant of the analysed conversation; {@code type} is CUSTOMER, AI_AGENT, HUMAN_AGENT, .... */
    public record Participant(String id, String profileId, String type) {
    }

    static CiResult of(IntelligenceEvent e) {
        return new CiResult(e.getEventId(), e.getConversationId(), e.getAccountId(), e.getMemoryStoreId(),
                e.getConfiguration().getId(), e.getConfiguration().getFriendlyName(), e.getConfiguration().getVersion(),
                e.getOperatorResults().stream().map(r -> new OperatorResult(r.getId(), r.getOperatorId(),
                        r.getOutputFormat(), r.getResultJson(), r.getDateCreated(), r.getTriggerOn(),
                        r.getTriggerTimestamp(), r.getParticipants().stream().map(CiResult::participant).toList()))
                        .toList());
    }

    private static Participant participant(IntelligenceParticipant p) {
        return new Participant(p.getId(), p.getProfileId(), p.getType());
    }
}
