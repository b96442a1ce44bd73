package io.switchboard.twilio;

import com.twilio.constant.EnumConstants;
import com.twilio.exception.ApiConnectionException;
import com.twilio.http.HttpClient;
import com.twilio.http.Request;
import com.twilio.http.Response;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;

/**
 * The Twilio Java SDK's HTTP client for Switchboard: every SDK request goes through {@link TwilioEndpoints} (so
 * {@code TWILIO_API_BASE_URL} redirects it), is made exactly once (the SDK's own {@code reliableRequest} repeats
 * any 5xx, which would re-send a message; Switchboard's {@link Retrier} decides instead), and the answer's headers
 * stay readable on the calling thread ({@link #lastRetryAfter()}) because the SDK's exceptions drop them.
 * Blocking: call it on a worker thread, never on an event loop or a consumer's poll thread.
 */
public final class RedirectingHttpClient extends HttpClient {
    private static final ThreadLocal<Duration> LAST_RETRY_AFTER = new ThreadLocal<>();

    private final TwilioEndpoints endpoints;
    private final java.net.http.HttpClient http;
    private final Duration timeout;

    public RedirectingHttpClient(TwilioEndpoints endpoints, java.net.http.HttpClient http, Duration timeout) {
        this.endpoints = endpoints;
        this.http = http;
        this.timeout = timeout;
    }

    @Override
    public Response reliableRequest(Request request) {
        return makeRequest(request);
    }

    @Override
    public Response reliableRequest(Request request, int[] retryCodes, int retries, long delayMillis) {
        return makeRequest(request);
    }

    @Override
    public Response makeRequest(Request request) {
        LAST_RETRY_AFTER.remove();
        URI original;
        try {
            original = request.constructURL().toURI();
        } catch (Exception e) {
            throw new ApiConnectionException("Invalid Twilio URL " + request.getUrl(), e);
        }
        URI target = endpoints.resolve(original);
        HttpRequest.Builder builder = HttpRequest.newBuilder(target).timeout(timeout)
                .header("Accept", "application/json")
                .header("X-Twilio-Client", "java-switchboard");
        if (endpoints.redirected()) {
            builder.header("X-Forwarded-Host", original.getHost());
        }
        if (request.requiresAuthentication()) {
            builder.header("Authorization", request.getAuthString());
        }
        for (Map.Entry<String, List<String>> header : request.getHeaderParams().entrySet()) {
            for (String value : header.getValue()) {
                builder.header(header.getKey(), value);
            }
        }
        String method = request.getMethod().toString();
        if (method.equals("GET") || method.equals("DELETE")) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        } else if (request.getContentType() == EnumConstants.ContentType.JSON && request.getBody() != null) {
            builder.header("Content-Type", "application/json");
            builder.method(method, HttpRequest.BodyPublishers.ofString(request.getBody(), StandardCharsets.UTF_8));
        } else {
            builder.header("Content-Type", "application/x-www-form-urlencoded");
            builder.method(method, HttpRequest.BodyPublishers.ofString(request.encodeFormBody(), StandardCharsets.UTF_8));
        }
        HttpResponse<String> response;
        try {
            response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiConnectionException("Interrupted calling Twilio", e);
        } catch (IOException e) {
            throw new ApiConnectionException("Twilio call failed: " + e, e);
        }
        List<Header> headers = new ArrayList<>();
        response.headers().map().forEach((name, values) -> values.forEach(v -> headers.add(new BasicHeader(name, v))));
        LAST_RETRY_AFTER.set(TwilioCallException.parseRetryAfter(response.headers().firstValue("Retry-After").orElse(null)));
        return new Response(response.body(), response.statusCode(), headers.toArray(new Header[0]));
    }

    /** The Retry-After of the last answer this thread received through this class, or null. */
    public static Duration lastRetryAfter() {
        return LAST_RETRY_AFTER.get();
    }

    /** Whether an I/O failure happened before the request could have reached Twilio (safe to repeat). */
    static boolean neverSent(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException) {
                return true;
            }
        }
        return false;
    }
}
