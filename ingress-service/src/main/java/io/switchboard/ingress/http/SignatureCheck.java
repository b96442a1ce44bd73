package io.switchboard.ingress.http;

import com.twilio.security.RequestValidator;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.switchboard.ingress.IngressConfig;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks X-Twilio-Signature the way Twilio computes it, on the URL Twilio called: rebuilt from X-Forwarded-Proto /
 * X-Forwarded-Host (first value) when a proxy sets them, otherwise tried with the configured public domain and with
 * the request's own Host. A request without a valid signature is refused, unless the explicit development setting
 * SWITCHBOARD_INSECURE_SKIP_SIGNATURE is on ({@link #skipping}), which IngressConfig refuses with a real account SID
 * and which logs a warning on every request it lets through.
 */
public final class SignatureCheck {
    private static final Logger log = LoggerFactory.getLogger(SignatureCheck.class);
    public static final String HEADER = "X-Twilio-Signature";

    private final RequestValidator validator;
    private final String publicDomain;
    private final boolean skip;

    public SignatureCheck(String authToken, String publicDomain) {
        this(authToken, publicDomain, false);
    }

    private SignatureCheck(String authToken, String publicDomain, boolean skip) {
        this.validator = new RequestValidator(authToken);
        this.publicDomain = publicDomain;
        this.skip = skip;
    }

    /** Development only: every request passes, each with a warning. */
    public static SignatureCheck skipping(String authToken, String publicDomain) {
        log.warn("!!! {}=true: X-Twilio-Signature is NOT checked on any route. Anyone who can reach this port can "
                + "inject messages and calls. Development only; never expose this instance. !!!",
                IngressConfig.INSECURE_SKIP_SIGNATURE);
        return new SignatureCheck(authToken, publicDomain, true);
    }

    private boolean skipped(HttpServerRequest request) {
        log.warn("X-Twilio-Signature not checked on {} {} ({}=true, development only)", request.method(),
                request.path(), IngressConfig.INSECURE_SKIP_SIGNATURE);
        return true;
    }

    /** A form POST: URL (with its query) plus the form parameters. */
    public boolean form(HttpServerRequest request, Map<String, String> formParams) {
        if (skip) {
            return skipped(request);
        }
        String signature = request.getHeader(HEADER);
        if (signature == null || signature.isBlank()) {
            return false;
        }
        for (String base : bases(request, false)) {
            if (validator.validate(base + request.uri(), formParams, signature)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A JSON POST: the URL with `bodySHA256` in its query (Twilio always adds it to a JSON webhook; without it the
     * signature would cover the URL only and any body could ride on a captured signature), and the hash of the raw
     * body bytes.
     */
    public boolean json(HttpServerRequest request, byte[] body) {
        if (skip) {
            return skipped(request);
        }
        String signature = request.getHeader(HEADER);
        if (signature == null || signature.isBlank()) {
            return false;
        }
        List<String> hash = new QueryStringDecoder(request.uri()).parameters().get("bodySHA256");
        if (hash == null || hash.size() != 1 || !sha256Hex(body).equalsIgnoreCase(hash.get(0))) {
            return false;
        }
        for (String base : bases(request, false)) {
            if (validator.validate(base + request.uri(), Map.of(), signature)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A WebSocket upgrade: TAC's current form is the `wss://` URL without its query, the query's parameters as the
     * params map; the older form signs the `https://` URL including the query. Both are accepted.
     */
    public boolean upgrade(HttpServerRequest request) {
        if (skip) {
            return skipped(request);
        }
        String signature = request.getHeader(HEADER);
        if (signature == null || signature.isBlank()) {
            return false;
        }
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        Map<String, String> params = new LinkedHashMap<>();
        query.parameters().forEach((name, values) -> params.put(name, values.get(0)));
        for (String base : bases(request, true)) {
            if (validator.validate(base + query.path(), params, signature)) {
                return true;
            }
        }
        for (String base : bases(request, false)) {
            if (validator.validate(base + request.uri(), Map.of(), signature)) {
                return true;
            }
        }
        return false;
    }

    /** scheme://host candidates for the URL Twilio signed. */
    List<String> bases(HttpServerRequest request, boolean websocket) {
        List<String> bases = new ArrayList<>();
        String forwardedProto = first(request.getHeader("X-Forwarded-Proto"));
        String forwardedHost = first(request.getHeader("X-Forwarded-Host"));
        String host = host(request);
        String ownScheme = request.isSSL() ? "https" : "http";
        if (forwardedProto != null || forwardedHost != null) {
            String proto = forwardedProto != null ? forwardedProto : ownScheme;
            bases.add(scheme(proto, websocket) + "://" + (forwardedHost != null ? forwardedHost : host));
            return bases;
        }
        if (publicDomain != null) {
            bases.add(scheme("https", websocket) + "://" + publicDomain);
        }
        if (host != null) {
            bases.add(scheme(ownScheme, websocket) + "://" + host);
        }
        return bases;
    }

    /** The Host header, or the HTTP/2 :authority (an h2c proxy sends no Host header). */
    static String host(HttpServerRequest request) {
        String host = first(request.getHeader("Host"));
        if (host != null) {
            return host;
        }
        HostAndPort authority = request.authority();
        if (authority == null) {
            return null;
        }
        return authority.port() >= 0 ? authority.host() + ":" + authority.port() : authority.host();
    }

    private static String sha256Hex(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String scheme(String proto, boolean websocket) {
        String p = proto.toLowerCase(Locale.ROOT);
        if (!websocket) {
            return p.equals("wss") ? "https" : p.equals("ws") ? "http" : p;
        }
        return switch (p) {
            case "https", "wss" -> "wss";
            default -> "ws";
        };
    }

    private static String first(String header) {
        if (header == null) {
            return null;
        }
        String value = header.split(",")[0].trim();
        return value.isEmpty() ? null : value;
    }
}
