package io.switchboard.memory.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.switchboard.events.Channel;
import io.switchboard.events.Memory;
import io.switchboard.events.Observation;
import io.switchboard.events.PastCommunication;
import io.switchboard.events.Summary;
import io.switchboard.memory.MemoryJson;
import io.switchboard.memory.MemoryQuery;
import io.switchboard.testkit.FuzzInputs;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The memory API's retrieve body ({@code POST /memory/retrieve}) on any input, down the route's own path: the query
 * JSON is either refused with {@link IllegalArgumentException} (the route's 400) or a query that reads back unchanged
 * from its own JSON (encode → decode = identity), whose limits resolve and which ranks a customer's memory within
 * its limits; never another exception (a 5xx), within 5 s and {@link FuzzInputs#DEFAULT_ALLOCATION_LIMIT}.
 */
class MemoryQueryFuzzTest {
    private static final MemoryConfig CONFIG = MemoryConfig.fromEnv(MemoryConfigTest.env());
    private static final List<Observation> OBSERVATIONS = List.of(
            Observation.newBuilder().setId("o1").setContent("Prefers email over phone calls").setCreatedAtMillis(1L).build(),
            Observation.newBuilder().setId("o2").setContent("Ordered size 42 running shoes").setCreatedAtMillis(2L).build());
    private static final List<Summary> SUMMARIES = List.of(
            Summary.newBuilder().setId("s1").setContent("Asked about a refund; resolved").setCreatedAtMillis(3L).build());
    private static final List<PastCommunication> COMMUNICATIONS = List.of(
            PastCommunication.newBuilder().setId("c1").setConversationId("conv_1").setChannel(Channel.SMS)
                    .setText("where is my order?").setOccurredAtMillis(4L).build());

    @FuzzTest
    void anyRetrieveBody(byte[] body) {
        String json = new String(body, StandardCharsets.UTF_8);
        MemoryQuery query;
        try {
            query = FuzzInputs.bounded(() -> MemoryJson.queryFromJson(json));
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        assertThat(MemoryJson.queryFromJson(MemoryJson.queryToJson(query))).isEqualTo(query);
        Limits limits = Limits.of(query, CONFIG);
        Memory ranked = FuzzInputs.bounded(() -> Ranking.rank(OBSERVATIONS, SUMMARIES, COMMUNICATIONS, query, limits));
        assertThat(ranked.getObservations()).hasSizeLessThanOrEqualTo(limits.observations());
        assertThat(ranked.getSummaries()).hasSizeLessThanOrEqualTo(limits.summaries());
        assertThat(ranked.getCommunications()).hasSizeLessThanOrEqualTo(limits.communications());
    }
}
