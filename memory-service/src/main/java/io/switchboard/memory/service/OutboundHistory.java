package io.switchboard.memory.service;

import io.switchboard.events.Memory;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.Session;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * History from tac.outbound.v1: agent replies, keyed by customer. A streamed reply's tokens are joined in
 * {@value #PARTIAL_REPLIES_STORE} (conversation id / reply id → text so far) and remembered once, at its last token.
 */
final class OutboundHistory implements Processor<String, OutboundEvent, String, Memory> {
    static final String PARTIAL_REPLIES_STORE = "memory-partial-replies";

    private ProcessorContext<String, Memory> context;
    private KeyValueStore<String, String> partial;

    @Override
    public void init(ProcessorContext<String, Memory> context) {
        this.context = context;
        this.partial = context.getStateStore(PARTIAL_REPLIES_STORE);
    }

    @Override
    public void process(Record<String, OutboundEvent> record) {
        OutboundEvent event = record.value();
        if (event == null || !(event.getPayload() instanceof Reply reply)) {
            return;
        }
        String text;
        if (reply.getLast() && reply.getSequence() == 0) {
            text = reply.getText();
        } else {
            String key = event.getConversationId() + "/" + reply.getReplyId();
            String soFar = partial.get(key);
            String joined = (soFar == null ? "" : soFar) + reply.getText();
            if (!reply.getLast()) {
                partial.put(key, joined);
                return;
            }
            partial.delete(key);
            text = joined;
        }
        if (text.isBlank()) {
            return;
        }
        Session session = event.getSession();
        Communications.forward(context, record, session.getProfileId(), session.getFrom(), Communications.of(
                reply.getReplyId(), event.getConversationId(), session.getTo(), true, session.getChannel(), text.strip(),
                event.getOccurredAt().toEpochMilli()));
    }
}
