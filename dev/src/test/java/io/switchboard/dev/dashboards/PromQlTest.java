package io.switchboard.dev.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.dev.dashboards.PromQl.Identifiers;
import io.switchboard.dev.dashboards.PromQl.Selector;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PromQlTest {
    @Test
    void aHistogramQuantileNamesTheBucketSeriesItsMatcherLabelAndItsGroupingLabels() {
        Identifiers ids = PromQl.identifiers("histogram_quantile(0.99, sum by (le, route) "
                + "(rate(switchboard_ingress_request_latency_seconds_bucket{route!=\"/healthz\"}[$__rate_interval])))");

        assertThat(ids.selectors()).containsExactly(
                new Selector("switchboard_ingress_request_latency_seconds_bucket", Set.of("route")));
        assertThat(ids.groupingLabels()).containsExactly("le", "route");
    }

    @Test
    void keywordsFunctionsNumbersAndDurationsAreNotMetrics() {
        Identifiers ids = PromQl.identifiers("sum(increase(a_total[10m])) > 0 unless sum(rate(b_total[5m] offset 1h)) "
                + "> 1e3 and on (instance) group_left (service) c == bool 0.5");

        assertThat(ids.selectors()).extracting(Selector::metric).containsExactly("a_total", "b_total", "c");
        assertThat(ids.groupingLabels()).containsExactly("instance", "service");
    }

    @Test
    void groupingAfterTheAggregatedExpressionAndSeveralMatchersOnOneSelector() {
        Identifiers ids = PromQl.identifiers(
                "max(kafka_lag{client_id=~\".*StreamThread.*\", group!='x,}y'}) by (group) / up{job=\"switchboard\"}");

        assertThat(ids.selectors()).containsExactly(new Selector("kafka_lag", Set.of("client_id", "group")),
                new Selector("up", Set.of("job")));
        assertThat(ids.groupingLabels()).containsExactly("group");
    }

    @Test
    void aSelectorWithoutAMetricNameOrAnUnterminatedStringIsRefused() {
        assertThatThrownBy(() -> PromQl.identifiers("{__name__=~\"switchboard_.*\"}"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PromQl.identifiers("up{job=\"switchboard}"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
