package io.switchboard.ingress;

import io.switchboard.events.InboundEvent;
import io.switchboard.events.Source;
import io.switchboard.ids.EventIds;
import java.time.Instant;

/** Wraps a payload into the tac.inbound.v1 envelope. */
public final class InboundEvents {
    private InboundEvents() {
    }

    public static InboundEvent of(String eventId, String conversationId, Source source, Object payload) {
        return InboundEvent.newBuilder()
                .setEventId(eventId)
                .setConversationId(conversationId)
                .setOccurredAt(Instant.now())
                .setTraceId(EventIds.newTraceId())
                .setSource(source)
                .setPayload(payload)
                .build();
    }
}
