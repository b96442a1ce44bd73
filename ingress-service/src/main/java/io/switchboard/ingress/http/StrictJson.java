package io.switchboard.ingress.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.vertx.core.json.DecodeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The checks a webhook body passes before it is read as JSON: well-formed UTF-8 (no replacement characters slipped
 * into an event), exactly one JSON document, no duplicate keys (two parsers must never read two different events
 * out of one signed body), bounded nesting. Throws {@link DecodeException} (a 400) otherwise.
 */
public final class StrictJson {
    static final int MAX_DEPTH = 64;
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build();

    private StrictJson() {
    }

    /** The body as text after the checks. */
    public static String text(byte[] body) {
        return check(utf8(body));
    }

    /**
     * {@code text} itself after the JSON checks (one document, no duplicate keys, bounded nesting, no name or string
     * holding an unpaired surrogate, which JSON's escapes allow but no topic can carry: Avro writes it as '?'; found
     * by {@code RelayProtocolFuzzTest}).
     */
    public static String check(String text) {
        try (JsonParser parser = FACTORY.createParser(text)) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                throw new DecodeException("empty body");
            }
            int depth = 0;
            do {
                if (token.isStructStart()) {
                    depth++;
                } else if (token.isStructEnd()) {
                    depth--;
                } else if (token == JsonToken.FIELD_NAME || token == JsonToken.VALUE_STRING) {
                    requireWellFormedUtf16(parser.getText());
                }
            } while (depth > 0 && (token = parser.nextToken()) != null);
            if (parser.nextToken() != null) {
                throw new DecodeException("trailing content after the JSON document");
            }
        } catch (JsonProcessingException e) {
            throw new DecodeException("invalid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new DecodeException("invalid JSON");
        }
        return text;
    }

    private static void requireWellFormedUtf16(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new DecodeException("unpaired surrogate in a JSON string");
            }
        }
    }

    /** Strict UTF-8: malformed or overlong sequences are refused, not replaced. */
    public static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new DecodeException("body is not valid UTF-8");
        }
    }
}
