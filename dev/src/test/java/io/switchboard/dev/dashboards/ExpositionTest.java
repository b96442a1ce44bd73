package io.switchboard.dev.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class ExpositionTest {
    @Test
    void eachSeriesNameGetsTheUnionOfItsLabelNamesAndQuotedValuesMayHoldCommasBracesAndQuotes() {
        String text = """
                # HELP switchboard_ingress_requests_total HTTP requests by route and status
                # TYPE switchboard_ingress_requests_total counter
                switchboard_ingress_requests_total{route="/webhook",status="200"} 3.0
                switchboard_ingress_requests_total{route="/a,b}\\"c",status="503",extra="x"} 1.0
                process_cpu_usage 0.25
                """;

        assertThat(Exposition.labelsByName(text))
                .containsEntry("switchboard_ingress_requests_total", Set.of("route", "status", "extra"))
                .containsEntry("process_cpu_usage", Set.of())
                .hasSize(2);
    }
}
