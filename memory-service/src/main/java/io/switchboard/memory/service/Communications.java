package io.switchboard.memory.service;

import io.switchboard.events.Channel;
import io.switchboard.events.Memory;
import io.switchboard.events.PastCommunication;
import java.util.List;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** What {@link InboundHistory} and {@link OutboundHistory} emit: one communication as a memory delta per subject. */
final class Communications {
    private Communications() {
    }

    static PastCommunication of(String id, String conversationId, String author, boolean fromAgent, Channel channel,
            String text, long at) {
        return PastCommunication.newBuilder().setId(id).setConversationId(conversationId).setAuthorAddress(author)
                .setFromAgent(fromAgent).setChannel(channel).setText(text).setOccurredAtMillis(at).build();
    }

    /** Forwards {@code communication} under each subject of the customer (profile and address, see {@link Addresses}). */
    static <V> void forward(ProcessorContext<String, Memory> context, Record<String, V> record, String profileId,
            String address, PastCommunication communication) {
        Memory delta = Memory.newBuilder().setCommunications(List.of(communication)).build();
        for (String subject : Addresses.subjects(profileId, address)) {
            context.forward(new Record<>(subject, delta, record.timestamp()));
        }
    }
}
