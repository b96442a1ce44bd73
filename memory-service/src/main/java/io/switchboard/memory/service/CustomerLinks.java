package io.switchboard.memory.service;

import io.switchboard.events.InboundEvent;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Session;
import io.switchboard.events.inbound.CallStarted;
import io.switchboard.events.inbound.MessageReceived;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Which subjects of the local memory are the same customer: a profile id and the addresses it was seen with. The
 * Twilio provider finds a profile's memories from an address by Lookup; the local memory learns the pairs from the
 * topics instead, from every event that carries both (a message with its author's profile, a call whose
 * {@code profileId} parameter names the caller's profile, an agent reply whose session knows the customer's profile),
 * so that a Conversation Intelligence result kept under the profile reaches a customer who texts again from the phone
 * (messaging webhooks carry no profile id), and a profile's query finds what its addresses said.
 *
 * <p>Store {@value #STORE}: one row per link and direction, {@code subject ␀ linkedSubject} → when first seen,
 * partitioned by {@code subject} like the memory rows, so the instance owning a subject's items owns its links too.
 */
final class CustomerLinks {
    static final String STORE = "memory-customer-links";
    /** Enough for a customer's profile and channels; a subject linked more widely (a shared number) stops there. */
    static final int MAX_LINKS = 20;
    /** The same custom parameter the router reads a voice call's profile from. */
    static final String PROFILE_ID_PARAMETER = "profileId";
    private static final char SEP = '\u0000';

    private CustomerLinks() {
    }

    /** The links an inbound event teaches, both directions; none when it lacks the profile or the address. */
    static List<KeyValue<String, String>> of(InboundEvent event) {
        if (event == null) {
            return List.of();
        }
        if (event.getPayload() instanceof MessageReceived m) {
            return pair(m.getProfileId(), m.getAuthorAddress());
        }
        if (event.getPayload() instanceof CallStarted c) {
            return pair(c.getCustomParameters().get(PROFILE_ID_PARAMETER), c.getFrom());
        }
        return List.of();
    }

    /** The links an outbound event's session teaches (the router's session knows the customer's profile and address). */
    static List<KeyValue<String, String>> of(OutboundEvent event) {
        Session session = event == null ? null : event.getSession();
        return session == null ? List.of() : pair(session.getProfileId(), session.getFrom());
    }

    static List<KeyValue<String, String>> pair(String profileId, String address) {
        List<String> subjects = Addresses.subjects(profileId, address);
        if (subjects.size() < 2) {
            return List.of();
        }
        return List.of(KeyValue.pair(subjects.get(0), subjects.get(1)), KeyValue.pair(subjects.get(1), subjects.get(0)));
    }

    static String key(String subject, String linked) {
        return subject + SEP + linked;
    }

    /** The subjects linked to {@code subject}, at most {@link #MAX_LINKS}. */
    static List<String> read(ReadOnlyKeyValueStore<String, Long> links, String subject) {
        List<String> linked = new ArrayList<>();
        String prefix = subject + SEP;
        try (KeyValueIterator<String, Long> rows = links.prefixScan(prefix, Serdes.String().serializer())) {
            while (rows.hasNext() && linked.size() < MAX_LINKS) {
                linked.add(rows.next().key.substring(prefix.length()));
            }
        }
        return linked;
    }

    /** Writes each link (keyed by its subject) once: a link seen again on every message changes nothing. */
    static final class Writer implements Processor<String, String, Void, Void> {
        private KeyValueStore<String, Long> links;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            links = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<String, String> record) {
            if (record.key() == null || record.value() == null) {
                return;
            }
            links.putIfAbsent(key(record.key(), record.value()), record.timestamp());
        }
    }
}
