package io.switchboard.memory.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.ci.OperatorResult;
import org.junit.jupiter.api.Test;

/** How an operator result's content is read, per output format and payload shape (TAC's rules). */
class IntelligenceResultsTest {

    static OperatorResult result(String format, String json) {
        return OperatorResult.newBuilder().setId("r").setOutputFormat(format).setResultJson(json).build();
    }

    @Test
    void contentByOutputFormat() {
        assertThat(IntelligenceResults.content(result("JSON", "{\"payload\":{\"summary\":\"s\"}}"))).isEqualTo("{\"summary\":\"s\"}");
        assertThat(IntelligenceResults.content(result("JSON", "{\"payload\":\"{\\\"summary\\\":\\\"s\\\"}\"}"))).isEqualTo("{\"summary\":\"s\"}");
        assertThat(IntelligenceResults.content(result("json",
                "{\"com.twilio.cai.intelligence.JSONResult\":{\"payload\":\"p\"}}"))).isEqualTo("p");
        assertThat(IntelligenceResults.content(result("CLASSIFICATION", "{\"label\":\"billing\"}"))).isEqualTo("billing");
        assertThat(IntelligenceResults.content(result("EXTRACTION", "{\"entities\":{\"city\":\"Oslo\"}}"))).isEqualTo("{\"city\":\"Oslo\"}");
        assertThat(IntelligenceResults.content(result("GENERATION", "{\"result\":\"A calm call.\"}"))).isEqualTo("A calm call.");
        assertThat(IntelligenceResults.content(result("TEXT", "\"plain\""))).isEqualTo("plain");
        assertThat(IntelligenceResults.content(result("JSON", null))).isNull();
    }

    @Test
    void itemsOfObservationsAndSummaries() {
        assertThat(IntelligenceResults.observations("{\"observations\":[{\"content\":\"a\"},{\"content\":\"\"},{\"content\":\"b\"}]}"))
                .containsExactly("a", "b");
        assertThat(IntelligenceResults.observations("Likes jazz")).containsExactly("Likes jazz");
        assertThat(IntelligenceResults.summaries("{\"summaries\":[{\"summary\":\"x\"},{\"summary\":\"y\"}]}")).containsExactly("x", "y");
        assertThat(IntelligenceResults.summaries("{\"summary\":\"z\"}")).containsExactly("z");
        assertThat(IntelligenceResults.summaries("A short call.")).containsExactly("A short call.");
    }
}
