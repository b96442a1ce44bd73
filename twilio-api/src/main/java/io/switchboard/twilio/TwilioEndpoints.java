package io.switchboard.twilio;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where Twilio REST calls go: the one place that applies {@code TWILIO_API_BASE_URL}. Unset (production), URLs are
 * Twilio's own; set, scheme, host and port are replaced by the base's (its path is prefixed), so a fake Twilio API or
 * the dev simulator receives every call. Used by the Twilio SDK's HTTP client and by the Orchestrator JSON client.
 */
public final class TwilioEndpoints {
    private final URI base;
    private final String region;

    public TwilioEndpoints(String baseUrl, String region) {
        this.base = baseUrl == null ? null : URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
        this.region = region;
    }

    public boolean redirected() {
        return base != null;
    }

    /** The URL a request for {@code original} really goes to. */
    public URI resolve(URI original) {
        if (base == null) {
            return original;
        }
        String basePath = base.getRawPath() == null ? "" : base.getRawPath();
        String path = basePath + (original.getRawPath() == null ? "" : original.getRawPath());
        String query = original.getRawQuery();
        try {
            return new URI(base.getScheme() + "://" + base.getRawAuthority() + path + (query == null ? "" : "?" + query));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Cannot redirect " + original + " to " + base, e);
        }
    }

    /** A Conversation Orchestrator (v2) URL for {@code pathAndQuery}, e.g. {@code /v2/Conversations/x/Actions}. */
    public URI conversations(String pathAndQuery) {
        return resolve(URI.create("https://" + host("conversations") + pathAndQuery));
    }

    /** A Conversation Memory URL for {@code pathAndQuery}, e.g. {@code /v1/Stores/x/Profiles/Lookup}. */
    public URI memory(String pathAndQuery) {
        return resolve(URI.create("https://" + host("memory") + pathAndQuery));
    }

    /** Twilio's host of {@code product} in the configured region ({@code memory.ie1.twilio.com}). */
    private String host(String product) {
        return region == null ? product + ".twilio.com" : product + "." + region + ".twilio.com";
    }
}
