package io.switchboard.localtwilio;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Part of the local stand-in for Twilio's cloud that {@code dev} and the tests run: computes X-Twilio-Signature as
 * Twilio does: HMAC-SHA1 with the auth token over the URL followed by the sorted form parameters (each name
 * immediately followed by its value), base64. JSON bodies are signed over the URL with
 * {@code bodySHA256=<hex SHA-256 of the body>} in its query and no parameters.
 */
public final class TwilioSignatures {
    private TwilioSignatures() {
    }

    /** The signature of a request to {@code url} with these form parameters (empty for JSON or a WebSocket). */
    public static String sign(String authToken, String url, Map<String, String> params) {
        StringBuilder data = new StringBuilder(url);
        new TreeMap<>(params).forEach((name, value) -> data.append(name).append(value));
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Lowercase hex SHA-256 of a body, as Twilio puts it in {@code bodySHA256}. */
    public static String bodySha256(String body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code url} with {@code bodySHA256} of {@code body} appended to its query, the URL Twilio calls for JSON. */
    public static String withBodyHash(String url, String body) {
        return url + (url.contains("?") ? "&" : "?") + "bodySHA256=" + bodySha256(body);
    }

    /** The signature of a JSON request: {@code urlWithBodyHash} (see {@link #withBodyHash}) with no parameters. */
    public static String signJson(String authToken, String urlWithBodyHash) {
        return sign(authToken, urlWithBodyHash, Map.of());
    }
}
