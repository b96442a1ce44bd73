package io.switchboard.ingress.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;

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
        return request.getHeader("Host");
    }

    /** 403 for a missing or wrong X-Twilio-Signature. */
    public static void forbidden(RoutingContext ctx) {
        ctx.response().setStatusCode(403).end("Invalid or missing X-Twilio-Signature");
    }

    public static boolean isForm(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        return type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded");
    }

    public static boolean isJson(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        return type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json");
    }
}
