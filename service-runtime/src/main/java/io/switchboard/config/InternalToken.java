package io.switchboard.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The shared secret Switchboard's own processes present to each other ({@code Authorization: Bearer …}): the memory
 * API and the operator listener's routes when it is bound beyond loopback. One setting, SWITCHBOARD_INTERNAL_TOKEN,
 * declared by every service that sends or checks it ({@link #define}); {@code dev} generates one per start.
 * The token itself is never logged or put in an exception message.
 */
public final class InternalToken {
    public static final String NAME = "SWITCHBOARD_INTERNAL_TOKEN";
    /** Shorter secrets are guessable; {@link #generate()} makes 43 characters. */
    public static final int MIN_LENGTH = 16;
    private static final String BEARER = "Bearer ";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String value;
    private final byte[] digest;

    private InternalToken(String value) {
        this.value = value;
        this.digest = sha256(value);
    }

    /** Adds the setting to a service's declaration, with what it is for in that service. */
    public static ConfigDef define(ConfigDef def, String documentation) {
        return def.define(NAME, Type.PASSWORD, null, Importance.HIGH, documentation);
    }

    /** The configured token; a missing or short one fails the start, naming the setting and {@code neededFor}. */
    public static InternalToken required(String configured, String neededFor) {
        if (configured == null || configured.isBlank()) {
            throw new InvalidConfigurationException(NAME + " is required: " + neededFor
                    + " (a shared secret of at least " + MIN_LENGTH + " characters, the same for every Switchboard process)");
        }
        return of(configured);
    }

    /** The configured token, or empty when it is not set; a short one fails the start naming the setting. */
    public static Optional<InternalToken> optional(String configured) {
        return configured == null || configured.isBlank() ? Optional.empty() : Optional.of(of(configured));
    }

    private static InternalToken of(String configured) {
        String trimmed = configured.trim();
        if (trimmed.length() < MIN_LENGTH) {
            throw new InvalidConfigurationException(NAME + " is too short (" + trimmed.length() + " characters): at least "
                    + MIN_LENGTH + " are required");
        }
        return new InternalToken(trimmed);
    }

    /** A new random token (256 bits, URL-safe Base64): what {@code dev} gives its services. */
    public static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The value of the {@code Authorization} header a caller sends. */
    public String authorizationHeader() {
        return BEARER + value;
    }

    /**
     * Why a request's {@code Authorization} header is refused, or empty when it carries this token. The comparison
     * is of SHA-256 digests with {@link MessageDigest#isEqual} (constant time, and the length of the token does
     * not show in the timing either). The reason never contains the header's value.
     */
    public Optional<String> refusal(String authorizationHeader) {
        if (authorizationHeader == null || authorizationHeader.isBlank()) {
            return Optional.of("no Authorization header");
        }
        if (!authorizationHeader.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.of("Authorization is not a Bearer token");
        }
        byte[] presented = sha256(authorizationHeader.substring(BEARER.length()).trim());
        return MessageDigest.isEqual(digest, presented) ? Optional.empty() : Optional.of("wrong bearer token");
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return NAME + "(hidden)";
    }
}
