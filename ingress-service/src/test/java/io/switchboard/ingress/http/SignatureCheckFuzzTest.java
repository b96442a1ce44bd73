package io.switchboard.ingress.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.switchboard.localtwilio.TwilioSignatures;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.testkit.FuzzInputs;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The X-Twilio-Signature gate of {@code /webhook} ({@link SignedRoute#formOrJson} over {@link SignatureCheck}) on a
 * real HTTP server, with any X-Forwarded-Proto, X-Forwarded-Host and Host (lists included), any query string and
 * any body, JSON (signed with {@code bodySHA256}) or form. Oracle: Twilio signs the URL it called — the proxy's
 * first forwarded proto and host when a proxy says so, else the public domain — so a request signed over that URL
 * passes, and the same request with a signature over another URL, or a JSON body other than the hashed one, is
 * refused with 403. Never a 5xx.
 */
class SignatureCheckFuzzTest {
    private static final String TOKEN = "fuzz-auth-token";
    private static final String PUBLIC_DOMAIN = "voice.example.com";
    private static final int BODY_LIMIT = 64 * 1024;
    private static Vertx vertx;
    private static HttpServer server;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        router.post("/webhook").handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT))
                .handler(SignedRoute.formOrJson(new SignatureCheck(TOKEN, PUBLIC_DOMAIN)))
                .handler(ctx -> ctx.response().setStatusCode(204).end());
        // the public server's own options (its form limits): a long form field is checked, not refused before
        server = vertx.createHttpServer(PublicServerOptions.create(0, BODY_LIMIT)).requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get();
    }

    @AfterAll
    static void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    /** Lines: X-Forwarded-Proto, X-Forwarded-Host, Host, query string, mode ("form" or JSON), body (JSON text or name=value lines). */
    @FuzzTest
    void signedOverTheUrlTwilioCalledAndNothingElse(byte[] input) throws IOException {
        // the test's own requests to its server, not a connection the code under test was talked into (Jazzer's
        // SSRF detector, on when fuzzing; set here: before the first input Jazzer is not ready for it)
        BugDetectors.allowNetworkConnections((host, port) -> host.equals("127.0.0.1") || host.equals("localhost"));
        List<String> f = FuzzInputs.fields(input, 6);
        String forwardedProto = headerValue(f.get(0));
        String forwardedHost = headerValue(f.get(1));
        String host = hostValue(f.get(2));
        boolean json = !f.get(4).contains("form");
        String path = "/webhook" + query(f.get(3));
        byte[] body;
        Map<String, String> form = Map.of();
        if (json) {
            body = f.get(5).getBytes(StandardCharsets.UTF_8);
            path += (path.contains("?") ? "&" : "?") + "bodySHA256=" + sha256Hex(body);
        } else {
            // at most 4,000 characters: percent-encoded (up to 9 bytes each) they stay under the body limit
            String lines = f.get(5).length() > 4_000 ? f.get(5).substring(0, 4_000) : f.get(5);
            form = FuzzInputs.twilioForm(lines.getBytes(StandardCharsets.UTF_8));
            body = TwilioWebhooks.encode(form).getBytes(StandardCharsets.UTF_8);
        }
        String url = calledBase(forwardedProto, forwardedHost, host) + path;
        Request request = new Request(path, forwardedProto, forwardedHost, host, json);

        String signature = json ? TwilioSignatures.signJson(TOKEN, url) : TwilioSignatures.sign(TOKEN, url, form);
        assertThat(request.post(body, signature)).as("signed over " + url).isEqualTo(204);

        String elsewhere = json ? TwilioSignatures.signJson(TOKEN, url + "&x") : TwilioSignatures.sign(TOKEN, url + "x", form);
        assertThat(request.post(body, elsewhere)).as("signed over another URL").isEqualTo(403);
        if (json) {
            byte[] other = (f.get(5) + " ").getBytes(StandardCharsets.UTF_8);
            assertThat(request.post(other, signature)).as("another body than the hashed one").isEqualTo(403);
        }
    }

    /** Twilio's URL: the proxy's first forwarded values (the rest of each list are the proxies' own), else the public domain. */
    private static String calledBase(String forwardedProto, String forwardedHost, String host) {
        if (forwardedProto == null && forwardedHost == null) {
            return "https://" + PUBLIC_DOMAIN;
        }
        String proto = forwardedProto == null ? "http" : first(forwardedProto).toLowerCase(Locale.ROOT);
        proto = proto.equals("wss") ? "https" : proto.equals("ws") ? "http" : proto;
        return proto + "://" + (forwardedHost == null ? host : first(forwardedHost));
    }

    private static String first(String list) {
        String[] items = list.split(",");
        return items.length == 0 ? "" : items[0].trim();
    }

    /** A header value a proxy could send (visible ASCII and spaces), or null for none (as when its first item is empty). */
    private static String headerValue(String raw) {
        String value = raw.replaceAll("[^\\x21-\\x7e ]", "").trim();
        return first(value).isEmpty() ? null : value;
    }

    /** A valid Host (name, then an optional numeric port): the HTTP server answers 400 to any other, before any check. */
    private static String hostValue(String raw) {
        int colon = raw.indexOf(':');
        String name = (colon < 0 ? raw : raw.substring(0, colon)).replaceAll("[^A-Za-z0-9.-]", "");
        String port = colon < 0 ? "" : raw.substring(colon + 1).replaceAll("[^0-9]", "");
        port = port.length() > 4 ? port.substring(0, 4) : port;
        return (name.isEmpty() ? "127.0.0.1" : name) + (port.isEmpty() ? "" : ":" + port);
    }

    /** The fuzzed query as a valid request target: '&' and '=' kept, everything else percent-encoded. */
    private static String query(String raw) {
        if (raw.isEmpty()) {
            return "";
        }
        StringBuilder query = new StringBuilder("?");
        for (byte b : raw.replace("bodySHA256", "").getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if (c < 0x80 && Character.isLetterOrDigit(c) || "&=-._~".indexOf(c) >= 0) {
                query.append(c);
            } else {
                query.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
            }
        }
        return query.toString();
    }

    private static String sha256Hex(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One request as a proxy forwards it, written byte for byte on a plain socket (no client rewrites a header). */
    private record Request(String path, String forwardedProto, String forwardedHost, String host, boolean json) {
        int post(byte[] body, String signature) throws IOException {
            StringBuilder head = new StringBuilder("POST ").append(path).append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
            if (forwardedProto != null) {
                head.append("X-Forwarded-Proto: ").append(forwardedProto).append("\r\n");
            }
            if (forwardedHost != null) {
                head.append("X-Forwarded-Host: ").append(forwardedHost).append("\r\n");
            }
            head.append("Content-Type: ").append(json ? "application/json" : "application/x-www-form-urlencoded").append("\r\n")
                    .append("X-Twilio-Signature: ").append(signature).append("\r\n")
                    .append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
            try (Socket socket = new Socket("127.0.0.1", server.actualPort())) {
                socket.setSoTimeout(5_000);
                OutputStream out = socket.getOutputStream();
                out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
                out.write(body);
                out.flush();
                return status(socket.getInputStream());
            }
        }

        private static int status(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
                line.write(b);
            }
            String[] parts = line.toString(StandardCharsets.ISO_8859_1).split(" ");
            assertThat(parts.length).as("status line " + line).isGreaterThan(1);
            return Integer.parseInt(parts[1]);
        }
    }
}
