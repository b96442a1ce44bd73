package io.switchboard.memory.service;

import io.switchboard.events.Memory;
import io.switchboard.memory.MemoryQuery;
import io.vertx.core.Future;

/** Where memory comes from: Twilio Conversation Memory or the local memory built from the topics. */
interface MemoryProvider extends AutoCloseable {
    String name();

    void start() throws Exception;

    Future<Memory> retrieve(MemoryQuery query, Limits limits);

    /** Stores an observation about the customer known by profile id and/or address; completes with its id. */
    Future<String> addObservation(String profileId, String address, String content, String conversationId);

    /** One line for the start-up log: what answers retrievals and, where it matters, from where. */
    default String describe() {
        return name();
    }

    @Override
    void close();

    /** The provider is starting (its store is not resolved or restored yet): the caller may retry (503). */
    final class NotReadyException extends RuntimeException {
        NotReadyException(String message) {
            super(message);
        }
    }
}
