package io.switchboard.ingress.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Request helpers shared by the handlers: form and query parameters, the public host, the refusal answers. */
public final class Forms {
    private Forms() {
    }

    /** The form parameters of a url-encoded POST (first value of each). */
    public static Map<String, String> params(RoutingContext ctx) {
        Map<String, String> params = new LinkedHashMap<>();
        ctx.request().formAttributes().forEach(e -> params.putIfAbsent(e.getKey(), e.getValue()));
        return params;
    }

    public static Map<String, String> query(RoutingContext ctx) {
        Map<String, String> params = new LinkedHashMap<>();
        new QueryStringDecoder(ctx.request().uri()).parameters().forEach((k, v) -> params.put(k, v.get(0)));
        return params;
    }

    /** The host Twilio called: X-Forwarded-Host's first value, else Host. */
    public static String publicHost(HttpServerRequest request) {
        String forwarded = request.getHeader("X-Forwarded-Host");
        if (forwarded != null && !forwarded.isBlank()) {
            return forwarded.split(",")[0].trim();
        }
        return SignatureCheck.host(request);
    }

    /**
     * Refuses ({@link MalformedInput}, a 400) a form whose percent-encoded bytes are not UTF-8 (decoding would
     * slip replacement characters into an event) or that names a parameter twice (Twilio never does).
     */
    public static void requireWellFormed(RoutingContext ctx) {
        Buffer raw = ctx.body() == null ? null : ctx.body().buffer();
        if (raw != null) {
            for (String pair : raw.toString(StandardCharsets.ISO_8859_1).split("&")) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                for (int i = 0; i < pair.length(); i++) {
                    char c = pair.charAt(i);
                    if (c == '%' && i + 2 < pair.length()) {
                        int hi = Character.digit(pair.charAt(i + 1), 16);
                        int lo = Character.digit(pair.charAt(i + 2), 16);
                        if (hi < 0 || lo < 0) {
                            throw new MalformedInput("invalid percent-encoding");
                        }
                        bytes.write(hi * 16 + lo);
                        i += 2;
                    } else if (c == '%') {
                        throw new MalformedInput("invalid percent-encoding");
                    } else {
                        bytes.write(c == '+' ? ' ' : c);
                    }
                }
                try {
                    StrictJson.utf8(bytes.toByteArray());
                } catch (DecodeException e) {
                    throw new MalformedInput("form is not valid UTF-8");
                }
            }
        }
        requireUnique(ctx);
    }

    /** Refuses ({@link MalformedInput}, a 400) a form that names a parameter twice: Twilio never does. */
    static void requireUnique(RoutingContext ctx) {
        Set<String> seen = new HashSet<>();
        ctx.request().formAttributes().forEach(e -> {
            if (!seen.add(e.getKey())) {
                throw new MalformedInput("parameter " + e.getKey() + " given twice");
            }
        });
    }

    /**
     * What a 400 tells the caller about a malformed body: the checks' own messages, never a library's (which can
     * carry class names, source locations or parts of the body).
     */
    public static String publicReason(Exception e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (e instanceof ClassCastException || message.contains("Exception") || message.indexOf('\n') >= 0
                || message.contains("line:") || message.contains("Source:") || message.length() > 200) {
            return "invalid body";
        }
        return message;
    }

    /** The raw request body (empty when there is none). */
    public static byte[] rawBody(RoutingContext ctx) {
        return ctx.body() == null || ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
    }

    /** 403 for a missing or wrong X-Twilio-Signature. */
    public static void forbidden(RoutingContext ctx) {
        ctx.response().setStatusCode(403).end("Invalid or missing X-Twilio-Signature");
    }

    public static boolean isForm(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        return type != null && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
    }

    public static boolean isJson(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        return type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json");
    }
}
