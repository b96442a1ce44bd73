package io.switchboard.twilio;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * How a service reaches Twilio's REST APIs, from the shared {@link TwilioSettings}
 * ({@code TWILIO_API_BASE_URL}, {@code TWILIO_REGION}, {@code TWILIO_ACCOUNT_SID}/{@code TWILIO_AUTH_TOKEN},
 * {@code TWILIO_API_KEY}/{@code TWILIO_API_SECRET}): the one place that builds an {@link OrchestratorClient}, so
 * ingress (the voice conversation lookup), outbound (replies, handoffs) and memory authenticate alike.
 *
 * <p>The Orchestrator (v2) is called with the API key and secret, as TAC does; without a key the account SID and
 * auth token are used (Twilio accepts them, its docs recommend them for local testing only).
 */
public record TwilioAccess(String baseUrl, String region, String accountSid, String authToken, String apiKey,
                           String apiSecret) {

    /** The Orchestrator's Basic auth user: the API key, or the account SID without one. */
    public String v2User() {
        return apiKey != null ? apiKey : accountSid;
    }

    /** The secret of {@link #v2User()}. */
    public String v2Password() {
        return apiKey != null && apiSecret != null ? apiSecret : authToken;
    }

    public TwilioEndpoints endpoints() {
        return new TwilioEndpoints(baseUrl, region);
    }

    /** A Conversation Orchestrator client; keep {@code http} for the service's lifetime. */
    public OrchestratorClient orchestrator(HttpClient http, Duration timeout, TwilioApiMetrics metrics) {
        return new OrchestratorClient(endpoints(), http, v2User(), v2Password(), timeout, metrics);
    }
}
