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

    @Override
    void close();
}
