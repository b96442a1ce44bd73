package io.switchboard.memory.service;

import io.switchboard.events.Channel;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.Memory;
import io.switchboard.events.inbound.CallEnded;
import io.switchboard.events.inbound.CallStarted;
import io.switchboard.events.inbound.MessageReceived;
import io.switchboard.events.inbound.Prompt;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * History from tac.inbound.v1: customer messages and final voice prompts, keyed by customer. Prompts carry no
 * address, so the caller of each running call is kept in {@value #CALLERS_STORE} (conversation id → caller) from
 * its start to its end.
 */
final class InboundHistory implements Processor<String, InboundEvent, String, Memory> {
    static final String CALLERS_STORE = "memory-callers";

    private ProcessorContext<String, Memory> context;
    private KeyValueStore<String, String> callers;

    @Override
    public void init(ProcessorContext<String, Memory> context) {
        this.context = context;
        this.callers = context.getStateStore(CALLERS_STORE);
    }

    @Override
    public void process(Record<String, InboundEvent> record) {
        InboundEvent event = record.value();
        if (event == null) {
            return;
        }
        String conversationId = event.getConversationId();
        Object payload = event.getPayload();
        if (payload instanceof MessageReceived m) {
            Communications.forward(context, record, m.getProfileId(), m.getAuthorAddress(), Communications.of(
                    event.getEventId(), conversationId, m.getAuthorAddress(), false, m.getChannel(), m.getText(),
                    event.getOccurredAt().toEpochMilli()));
        } else if (payload instanceof CallStarted c) {
            if (c.getFrom() != null) {
                callers.put(conversationId, c.getFrom());
            }
        } else if (payload instanceof Prompt p) {
            String caller = callers.get(conversationId);
            if (caller != null && p.getLast() && !p.getVoicePrompt().isBlank()) {
                Communications.forward(context, record, null, caller, Communications.of(event.getEventId(),
                        conversationId, caller, false, Channel.VOICE, p.getVoicePrompt(),
                        event.getOccurredAt().toEpochMilli()));
            }
        } else if (payload instanceof CallEnded) {
            callers.delete(conversationId);
        }
    }
}
