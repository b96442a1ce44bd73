package io.switchboard.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TwilioEndpointsTest {

    @Test
    void productionUrlsAreTwilios() {
        assertThat(new TwilioEndpoints(null, null).conversations("/v2/Conversations/c/Actions"))
                .isEqualTo(URI.create("https://conversations.twilio.com/v2/Conversations/c/Actions"));
        assertThat(new TwilioEndpoints(null, "ie1").conversations("/v2/Conversations"))
                .isEqualTo(URI.create("https://conversations.ie1.twilio.com/v2/Conversations"));
    }

    @Test
    void memoryCallsGoToTheRegionAsOrchestratorCallsDo() {
        assertThat(new TwilioEndpoints(null, null).memory("/v1/Stores/s/Profiles/Lookup"))
                .isEqualTo(URI.create("https://memory.twilio.com/v1/Stores/s/Profiles/Lookup"));
        assertThat(new TwilioEndpoints(null, "ie1").memory("/v1/Stores/s/Profiles/Lookup"))
                .isEqualTo(URI.create("https://memory.ie1.twilio.com/v1/Stores/s/Profiles/Lookup"));
        // a base URL stands in for every regional host
        assertThat(new TwilioEndpoints("http://127.0.0.1:8099", "ie1").memory("/v1/Stores/s"))
                .isEqualTo(URI.create("http://127.0.0.1:8099/v1/Stores/s"));
    }

    @Test
    void baseUrlReplacesSchemeHostAndPortAndKeepsPathAndQuery() {
        TwilioEndpoints endpoints = new TwilioEndpoints("http://127.0.0.1:8099/twilio/", null);
        assertThat(endpoints.resolve(URI.create("https://api.twilio.com/2010-04-01/Accounts/AC1/Calls.json?a=b%20c")))
                .isEqualTo(URI.create("http://127.0.0.1:8099/twilio/2010-04-01/Accounts/AC1/Calls.json?a=b%20c"));
    }

    @Test
    void retryAfterBoundsTheBackoffFromBelowAndTheMaximumFromAbove() {
        RetryPolicy policy = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(2));
        for (int retry = 1; retry <= 10; retry++) {
            assertThat(policy.delayBefore(retry, null)).isLessThanOrEqualTo(Duration.ofSeconds(2));
        }
        assertThat(policy.delayBefore(1, Duration.ofSeconds(1))).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(policy.delayBefore(1, Duration.ofSeconds(60))).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void onlyFailuresTwilioCertainlyDidNotActOnAreRetriedForAMessagePost() {
        assertThat(TwilioCallException.fromStatus(429, 20429, "x", null).retryable(false)).isTrue();
        assertThat(TwilioCallException.fromStatus(503, null, "x", null).retryable(false)).isTrue();
        assertThat(TwilioCallException.fromStatus(500, null, "x", null).retryable(false)).isFalse();
        assertThat(TwilioCallException.fromStatus(500, null, "x", null).retryable(true)).isTrue();
        assertThat(TwilioCallException.fromStatus(400, 21211, "x", null).retryable(true)).isFalse();
    }
}
