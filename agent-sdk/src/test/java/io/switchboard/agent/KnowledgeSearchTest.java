package io.switchboard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.tracing.RecentSpans;
import io.switchboard.tracing.Tracing;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KnowledgeSearchTest {
    private static final String CHUNKS = "{\"chunks\":["
            + "{\"content\":\"Returns within 30 days\",\"knowledgeId\":\"know_1\",\"createdAt\":\"2026-01-01T00:00:00Z\",\"score\":0.91},"
            + "{\"content\":\"Refunds take 5 days\",\"knowledgeId\":\"know_2\",\"createdAt\":\"2026-01-02T00:00:00Z\",\"score\":0.72}]}";

    @Test
    void aTracedSearchIsAClientSpanUnderTheCallersSpanWithoutTheQuery() throws Exception {
        RecentSpans spans = new RecentSpans(8);
        try (FakeTwilioApi twilio = FakeTwilioApi.start(); Tracing tracing = Tracing.inProcess(spans, "test")) {
            twilio.respondAlways("/v2/KnowledgeBases/know_base_1/Search$",
                    new FakeTwilioApi.Reply(200, Map.of("Content-Type", "application/json"), CHUNKS, Duration.ZERO));
            KnowledgeSearch search = KnowledgeSearch.fromEnv(Map.of("TWILIO_KNOWLEDGE_BASE_ID", "know_base_1",
                    "TWILIO_API_KEY", "SKkey", "TWILIO_API_SECRET", "secret",
                    "TWILIO_API_BASE_URL", twilio.baseUrl())).orElseThrow().traceWith(tracing);

            Span handler = tracing.tracer().spanBuilder("handle message").startSpan();
            try (Scope ignored = handler.makeCurrent()) {
                search.search("how do returns work");
            } finally {
                handler.end();
            }

            SpanData searched = spans.all().get(0);
            assertThat(searched.getName()).isEqualTo("POST /v2/KnowledgeBases/{id}/Search");
            assertThat(searched.getKind()).isEqualTo(SpanKind.CLIENT);
            assertThat(searched.getParentSpanId()).isEqualTo(handler.getSpanContext().getSpanId());
            assertThat(searched.getAttributes().get(AttributeKey.longKey("switchboard.knowledge.chunks"))).isEqualTo(2L);
            assertThat(searched.getAttributes().toString()).doesNotContain("returns");
        }
    }

    @Test
    void aSearchPostsQueryAndTopAndReturnsTheChunksInTheApisOrder() throws Exception {
        try (FakeTwilioApi twilio = FakeTwilioApi.start()) {
            twilio.respondAlways("/v2/KnowledgeBases/know_base_1/Search$",
                    new FakeTwilioApi.Reply(200, Map.of("Content-Type", "application/json"), CHUNKS, Duration.ZERO));
            KnowledgeSearch search = KnowledgeSearch.fromEnv(Map.of("TWILIO_KNOWLEDGE_BASE_ID", "know_base_1",
                    "TWILIO_API_KEY", "SKkey", "TWILIO_API_SECRET", "secret",
                    "TWILIO_API_BASE_URL", twilio.baseUrl())).orElseThrow();

            var chunks = search.search("how do returns work");

            assertThat(chunks).extracting(KnowledgeSearch.Chunk::knowledgeId).containsExactly("know_1", "know_2");
            assertThat(chunks.get(0).content()).isEqualTo("Returns within 30 days");
            assertThat(chunks.get(0).score()).isEqualTo(0.91);
            FakeTwilioApi.Recorded request = twilio.requests("/Search$").get(0);
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.basicAuthUser()).isEqualTo("SKkey");
            assertThat(request.json().path("query").asText()).isEqualTo("how do returns work");
            assertThat(request.json().path("top").asInt()).isEqualTo(5);
        }
    }

    @Test
    void aRegionSendsTheSearchToItsRegionalHost() throws Exception {
        Map<String, String> credentials = Map.of("TWILIO_KNOWLEDGE_BASE_ID", "know_base_1", "TWILIO_API_KEY", "SKkey",
                "TWILIO_API_SECRET", "secret");
        Map<String, String> ie1 = new HashMap<>(credentials);
        ie1.put("TWILIO_REGION", "ie1");
        assertThat(KnowledgeSearch.fromEnv(ie1).orElseThrow().searchUri())
                .hasToString("https://knowledge.ie1.twilio.com/v2/KnowledgeBases/know_base_1/Search");
        assertThat(KnowledgeSearch.fromEnv(credentials).orElseThrow().searchUri())
                .hasToString("https://knowledge.twilio.com/v2/KnowledgeBases/know_base_1/Search");
        try (FakeTwilioApi twilio = FakeTwilioApi.start()) {
            twilio.respondAlways("/v2/KnowledgeBases/know_base_1/Search$",
                    new FakeTwilioApi.Reply(200, Map.of("Content-Type", "application/json"), CHUNKS, Duration.ZERO));
            ie1.put("TWILIO_API_BASE_URL", twilio.baseUrl());
            KnowledgeSearch.fromEnv(ie1).orElseThrow().search("returns");
            // redirected, the call still names the host it stands for, as every redirected Twilio call does
            assertThat(twilio.requests("/Search$").get(0).header("X-Forwarded-Host")).isEqualTo("knowledge.ie1.twilio.com");
        }
    }

    @Test
    void withoutAKnowledgeBaseThereIsNoSearchAndAnApiErrorIsReported() throws Exception {
        assertThat(KnowledgeSearch.fromEnv(Map.of())).isEmpty();
        try (FakeTwilioApi twilio = FakeTwilioApi.start()) {
            KnowledgeSearch search = KnowledgeSearch.fromEnv(Map.of("TWILIO_KNOWLEDGE_BASE_ID", "missing",
                    "TWILIO_ACCOUNT_SID", "AC1", "TWILIO_AUTH_TOKEN", "t", "TWILIO_API_BASE_URL", twilio.baseUrl())).orElseThrow();
            assertThatThrownBy(() -> search.search("x")).hasMessageContaining("404");
        }
    }

    @Test
    void toolDefinitionsAreValidOpenAiFunctions() throws Exception {
        ObjectMapper json = new ObjectMapper();
        for (AgentTools.Tool tool : AgentTools.all()) {
            var function = json.readTree(tool.asOpenAiFunction());
            assertThat(function.path("type").asText()).isEqualTo("function");
            assertThat(function.at("/function/name").asText()).isEqualTo(tool.name());
            assertThat(function.at("/function/parameters/type").asText()).isEqualTo("object");
        }
        assertThat(AgentTools.HANDOFF.parametersSchema()).contains("\"required\":[\"reason\"]");
    }
}
