package io.switchboard.memory.service;

import io.switchboard.memory.MemoryQuery;

/** The limits of one retrieval: the query's own, else the configured defaults. */
record Limits(int observations, int summaries, int communications, double relevanceThreshold) {
    static Limits of(MemoryQuery q, MemoryConfig config) {
        return new Limits(
                q.observationsLimit() != null ? q.observationsLimit() : config.observationsLimit(),
                q.summariesLimit() != null ? q.summariesLimit() : config.summariesLimit(),
                q.communicationsLimit() != null ? q.communicationsLimit() : config.communicationsLimit(),
                q.relevanceThreshold() != null ? q.relevanceThreshold() : config.relevanceThreshold());
    }
}
