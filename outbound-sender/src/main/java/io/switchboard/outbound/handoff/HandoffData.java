package io.switchboard.outbound.handoff;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.events.Handoff;
import io.switchboard.events.OutboundEvent;

/**
 * TAC's {@code HandoffData} ({@code models/handoff.py}): {@code {"conversationId", "storeId", "profileId",
 * "attributes": {…, "reason"}}}, with {@code profileId} and {@code storeId} {@code ""} when unknown. The one builder
 * of it: the voice {@code end} frame carries it as a string (Twilio hands it to the {@code <Connect action>}, the
 * Studio webhook, as {@code HandoffData}), and a messaging handoff puts it in the Studio execution's
 * {@code Parameters}; so a Studio flow written for TAC ({@code flow.data.HandoffData.*}) works unchanged.
 */
public final class HandoffData {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HandoffData() {
    }

    /** The JSON object for {@code event}'s handoff; {@code storeId} null means none (relay-only without a store). */
    public static ObjectNode of(OutboundEvent event, Handoff handoff, String storeId) {
        String profileId = event.getSession().getProfileId();
        ObjectNode data = JSON.createObjectNode()
                .put("conversationId", event.getConversationId())
                .put("storeId", storeId == null ? "" : storeId)
                .put("profileId", profileId == null ? "" : profileId);
        ObjectNode attributes = data.putObject("attributes");
        handoff.getAttributes().forEach((k, v) -> attributes.put(k.toString(), v == null ? null : v.toString()));
        if (handoff.getReason() != null) {
            attributes.put("reason", handoff.getReason());
        }
        return data;
    }

    /** {@link #of} as the JSON string the relay's {@code end} frame carries. */
    public static String json(OutboundEvent event, Handoff handoff, String storeId) {
        return of(event, handoff, storeId).toString();
    }
}
