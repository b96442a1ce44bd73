package io.switchboard.memory;

import io.switchboard.events.Channel;

/**
 * What to recall for a conversation. The customer is found by {@code profileId} when known, else by {@code address}
 * (a phone number, {@code whatsapp:+1...}, an e-mail, a chat identity); at least one of the two is required.
 * An empty {@code query} means "no query": the most recent items. A {@code null} limit or threshold means the
 * memory service's configured default (TAC's TWILIO_MEMORY_* settings).
 *
 * @param conversationId        the conversation asking (optional; Twilio's Recall uses it)
 * @param profileId             Twilio Memory profile id ({@code mem_profile_...}) or null
 * @param address               the customer's address on its channel, or null
 * @param channel               the channel of the conversation, or null
 * @param query                 text to rank by relevance; null or blank = no query
 * @param observationsLimit     0..100, or null for the default
 * @param summariesLimit        0..100, or null for the default
 * @param communicationsLimit   0..100, or null for the default
 * @param relevanceThreshold    0.0..1.0, or null for the default
 */
public record MemoryQuery(String conversationId, String profileId, String address, Channel channel, String query,
        Integer observationsLimit, Integer summariesLimit, Integer communicationsLimit, Double relevanceThreshold) {

    public static final int MAX_LIMIT = 100;

    public MemoryQuery {
        checkLimit("observationsLimit", observationsLimit);
        checkLimit("summariesLimit", summariesLimit);
        checkLimit("communicationsLimit", communicationsLimit);
        if (relevanceThreshold != null && !(relevanceThreshold >= 0.0 && relevanceThreshold <= 1.0)) {
            throw new IllegalArgumentException("relevanceThreshold must be between 0.0 and 1.0: " + relevanceThreshold);
        }
        if (blank(profileId) && blank(address)) {
            throw new IllegalArgumentException("profileId or address is required");
        }
        profileId = blank(profileId) ? null : profileId.trim();
        address = blank(address) ? null : address.trim();
        query = query == null ? "" : query.strip();
    }

    /** A query with the service's default limits for a customer found by profile and/or address. */
    public static MemoryQuery of(String conversationId, String profileId, String address, Channel channel, String query) {
        return new MemoryQuery(conversationId, profileId, address, channel, query, null, null, null, null);
    }

    public boolean hasQuery() {
        return !query.isEmpty();
    }

    public MemoryQuery withLimits(Integer observations, Integer summaries, Integer communications, Double threshold) {
        return new MemoryQuery(conversationId, profileId, address, channel, query, observations, summaries, communications,
                threshold);
    }

    /** Twilio Memory profile ids carry the {@code mem_profile_} prefix; anything else is taken as an address. */
    public static boolean isProfileId(String value) {
        return value != null && value.startsWith("mem_profile_");
    }

    private static void checkLimit(String name, Integer value) {
        if (value != null && (value < 0 || value > MAX_LIMIT)) {
            throw new IllegalArgumentException(name + " must be between 0 and " + MAX_LIMIT + ": " + value);
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
