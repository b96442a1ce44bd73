package io.switchboard.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.localtwilio.TwilioSignatures;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.testkit.LogCapture;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corpus of hostile webhooks to every HTTP route Twilio calls. Each one gets its documented status (403 bad
 * signature, 400 malformed, 413 too large, 200 for a well-formed event that is not acted on), no stack trace in the
 * answer, and no record on tac.inbound.v1. Valid neighbours in the same corpus prove the counter can move.
 */
class HostileWebhookTest {
    static IngressUnderTest ingress;
    static LogCapture logs;
    static final List<String> tried = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        logs = LogCapture.install();
        ingress = new IngressUnderTest(Map.of());
    }

    @AfterAll
    static void stop() {
        ingress.close();
        logs.close();
        System.out.printf("%nHostile webhooks: %d inputs tried, 0 events produced by invalid ones%n", tried.size());
    }

    /** One hostile request: what is sent and what Twilio must see. */
    record Case(String name, String path, String contentType, byte[] body, Signing signing, Set<Integer> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    enum Signing { JSON_VALID, FORM_OVER_EMPTY, FORM_OVER_PARSED, NONE, FORGED }

    static final String VALID_JSON = TwilioWebhooks.communicationCreated("SMS", "conv_hostile", "comms_hostile",
            TwilioWebhooks.CUSTOMER, "hello");

    static final String VALID_CI = TwilioWebhooks.intelligenceEvent(IngressUnderTest.CI_CONFIGURATION, "conv_ci_hostile",
            TwilioWebhooks.operatorResult("intelligence_operatorresult_hostile", "LY1", "mem_profile_hostile",
                    new JsonObject().put("summary", "s")));

    static Stream<Case> corpus() {
        List<Case> cases = new ArrayList<>();
        for (String path : List.of("/webhook", "/twiml", "/conversation-relay-callback", "/ci-webhook")) {
            cases.add(new Case(path + " unsigned", path, "application/json", bytes(VALID_JSON), Signing.NONE, Set.of(403)));
            cases.add(new Case(path + " forged signature", path, "application/x-www-form-urlencoded",
                    bytes("CallSid=CA1&AccountSid=" + TwilioWebhooks.ACCOUNT_SID), Signing.FORGED, Set.of(403)));
            cases.add(new Case(path + " oversized body (1 MiB)", path, "application/x-www-form-urlencoded",
                    bytes("Body=" + "x".repeat(1 << 20)), Signing.FORM_OVER_EMPTY, Set.of(413)));
            cases.add(new Case(path + " oversized JSON (200 KiB)", path, "application/json",
                    bytes("{\"eventType\":\"" + "y".repeat(200 * 1024) + "\"}"), Signing.JSON_VALID, Set.of(413)));
            cases.add(new Case(path + " no content type", path, null, bytes("CallSid=CA1"), Signing.FORM_OVER_EMPTY, Set.of(400, 403)));
        }
        // /webhook JSON (Conversation Orchestrator): signed correctly, so only the body is wrong.
        String w = "/webhook";
        json(cases, w, "empty body", "", 400);
        json(cases, w, "whitespace body", "   \n", 400);
        json(cases, w, "truncated", VALID_JSON.substring(0, VALID_JSON.length() / 2), 400);
        json(cases, w, "not JSON", "hello=world", 400);
        json(cases, w, "JSON array", "[1,2,3]", 400);
        json(cases, w, "JSON string", "\"COMMUNICATION_CREATED\"", 400);
        json(cases, w, "JSON null", "null", 400);
        json(cases, w, "JSON number", "42", 400);
        json(cases, w, "no eventType", "{\"data\":{}}", 400);
        json(cases, w, "eventType a number", "{\"eventType\":7,\"data\":{}}", 400);
        json(cases, w, "eventType an object", "{\"eventType\":{\"a\":1},\"data\":{}}", 400);
        json(cases, w, "data a string", "{\"eventType\":\"COMMUNICATION_CREATED\",\"data\":\"x\"}", 400);
        json(cases, w, "data an array", "{\"eventType\":\"COMMUNICATION_CREATED\",\"data\":[]}", 400);
        json(cases, w, "data missing", "{\"eventType\":\"COMMUNICATION_CREATED\"}", 400);
        json(cases, w, "data.id missing", VALID_JSON.replace("\"id\":\"comms_hostile\",", ""), 400);
        json(cases, w, "data.id a number", VALID_JSON.replace("\"id\":\"comms_hostile\"", "\"id\":12"), 400);
        json(cases, w, "conversationId an array", VALID_JSON.replace("\"conversationId\":\"conv_hostile\"",
                "\"conversationId\":[\"a\"]"), 400);
        json(cases, w, "author a string", VALID_JSON.replace("\"author\":{", "\"author\":\"x\",\"author2\":{"), 400);
        json(cases, w, "content.text a number", VALID_JSON.replace("\"text\":\"hello\"", "\"text\":5"), 400);
        json(cases, w, "recipients an object", VALID_JSON.replace("\"recipients\":[", "\"recipients\":{\"a\":[").replace("}],\"channelId", "}]},\"channelId"), 400);
        json(cases, w, "deeply nested (5000)", "{\"eventType\":\"X\",\"data\":" + "[".repeat(5000) + "]".repeat(5000) + "}", 400);
        json(cases, w, "deeply nested objects (3000)", "{\"eventType\":\"X\",\"data\":" + "{\"a\":".repeat(3000) + "1" + "}".repeat(3000) + "}", 400);
        json(cases, w, "duplicate eventType key", "{\"eventType\":\"SOMETHING_ELSE\",\"eventType\":\"COMMUNICATION_CREATED\",\"data\":"
                + VALID_JSON.substring(VALID_JSON.indexOf("\"data\":") + 7), 400);
        json(cases, w, "duplicate data.id key", VALID_JSON.replace("\"id\":\"comms_hostile\"", "\"id\":\"a\",\"id\":\"b\""), 400);
        json(cases, w, "trailing garbage", VALID_JSON + "}{", 400);
        json(cases, w, "two documents", VALID_JSON + " " + VALID_JSON, 400);
        json(cases, w, "NaN literal", "{\"eventType\":NaN}", 400);
        json(cases, w, "comments", "/* hi */" + VALID_JSON, 400);
        json(cases, w, "unknown eventType", "{\"eventType\":\"SOMETHING_NEW\",\"data\":{}}", 200);
        json(cases, w, "voice channel (not a message)", VALID_JSON.replace("\"SMS\"", "\"VOICE\""), 200);
        json(cases, w, "unknown channel", VALID_JSON.replace("\"SMS\"", "\"PIGEON\""), 200);
        cases.add(new Case(w + " JSON bad UTF-8 (lone continuation byte)", w, "application/json",
                badUtf8(VALID_JSON.replace("hello", "\u0001")), Signing.JSON_VALID, Set.of(400)));
        cases.add(new Case(w + " JSON bad UTF-8 (truncated sequence)", w, "application/json",
                concat(bytes(VALID_JSON.substring(0, VALID_JSON.indexOf("hello"))), new byte[] {(byte) 0xE2, (byte) 0x82},
                        bytes(VALID_JSON.substring(VALID_JSON.indexOf("hello") + 5))), Signing.JSON_VALID, Set.of(400)));
        cases.add(new Case(w + " JSON overlong NUL", w, "application/json",
                concat(bytes(VALID_JSON.substring(0, VALID_JSON.indexOf("hello"))), new byte[] {(byte) 0xC0, (byte) 0x80},
                        bytes(VALID_JSON.substring(VALID_JSON.indexOf("hello") + 5))), Signing.JSON_VALID, Set.of(400)));
        cases.add(new Case(w + " text/plain", w, "text/plain", bytes("hi"), Signing.FORM_OVER_EMPTY, Set.of(400)));
        cases.add(new Case(w + " JSON body declared as form", w, "application/x-www-form-urlencoded", bytes(VALID_JSON),
                Signing.FORM_OVER_PARSED, Set.of(400)));
        // /webhook forms (Conversations v1)
        form(cases, w, "form without EventType", "ConversationSid=CH1&MessageSid=IM1&Body=hi", 400);
        form(cases, w, "onMessageAdded without MessageSid", "EventType=onMessageAdded&ConversationSid=CH1&Body=hi", 400);
        form(cases, w, "onMessageAdded without ConversationSid", "EventType=onMessageAdded&MessageSid=IM1&Body=hi", 400);
        form(cases, w, "unknown v1 event", "EventType=onParticipantAdded&ConversationSid=CH1", 200);
        form(cases, w, "form empty body", "", 400);
        form(cases, w, "form garbage", "%%%&&&===", 400);
        form(cases, w, "form bad percent-encoding UTF-8", "EventType=onMessageAdded&ConversationSid=CH1&MessageSid=IM1&Source=SMS&Author=%2B15559876543&Body=%FF%FE", 400);
        form(cases, w, "form duplicate MessageSid", "EventType=onMessageAdded&ConversationSid=CH1&MessageSid=IM1&MessageSid=IM2&Source=SMS&Author=%2B15559876543&Body=hi", 400);
        // /twiml and the relay action callback
        form(cases, "/twiml", "twiml without CallSid", "From=%2B15559876543", 400);
        form(cases, "/twiml", "twiml garbage", "%%%", 400);
        form(cases, "/conversation-relay-callback", "callback without CallSid", "AccountSid=" + TwilioWebhooks.ACCOUNT_SID, 400);
        form(cases, "/conversation-relay-callback", "callback other account", "AccountSid=AC999&CallSid=CA1", 403);
        form(cases, "/conversation-relay-callback", "callback SessionDuration not a number",
                "AccountSid=" + TwilioWebhooks.ACCOUNT_SID + "&CallSid=CA1&SessionDuration=abc", 400);
        form(cases, "/conversation-relay-callback", "callback SessionDuration overflow",
                "AccountSid=" + TwilioWebhooks.ACCOUNT_SID + "&CallSid=CA1&SessionDuration=99999999999999999999999", 400);
        // /ci-webhook (Conversation Intelligence), signed correctly
        String ci = "/ci-webhook";
        json(cases, ci, "empty body", "", 400);
        json(cases, ci, "truncated", VALID_CI.substring(0, VALID_CI.length() / 2), 400);
        json(cases, ci, "JSON array", "[1]", 400);
        json(cases, ci, "no intelligenceConfiguration", "{\"conversationId\":\"conv_ci\",\"operatorResults\":[]}", 400);
        json(cases, ci, "configuration id a number", ci(b -> b.getJsonObject("intelligenceConfiguration").put("id", 5)), 400);
        json(cases, ci, "conversationId missing", ci(b -> b.remove("conversationId")), 400);
        json(cases, ci, "operatorResults an object", ci(b -> b.put("operatorResults", new JsonObject())), 400);
        json(cases, ci, "operator result a string", ci(b -> b.put("operatorResults", new JsonArray().add("x"))), 400);
        json(cases, ci, "operator result without id", ci(b -> b.getJsonArray("operatorResults").getJsonObject(0).remove("id")), 400);
        json(cases, ci, "participants an object", ci(b -> b.getJsonArray("operatorResults").getJsonObject(0)
                .getJsonObject("executionDetails").put("participants", new JsonObject())), 400);
        json(cases, ci, "version an object", ci(b -> b.getJsonObject("intelligenceConfiguration").put("version", new JsonObject())), 400);
        json(cases, ci, "duplicate conversationId key", VALID_CI.replace("\"conversationId\":\"conv_ci_hostile\"",
                "\"conversationId\":\"a\",\"conversationId\":\"b\""), 400);
        json(cases, ci, "deeply nested (5000)", "{\"operatorResults\":" + "[".repeat(5000) + "]".repeat(5000) + "}", 400);
        cases.add(new Case(ci + " JSON bad UTF-8", ci, "application/json", badUtf8(VALID_CI.replace("Customer support", "\u0001")),
                Signing.JSON_VALID, Set.of(400)));
        cases.add(new Case(ci + " form body", ci, "application/x-www-form-urlencoded", bytes("conversationId=conv"),
                Signing.FORM_OVER_PARSED, Set.of(400)));
        json(cases, ci, "another configuration (skipped)", VALID_CI.replace(IngressUnderTest.CI_CONFIGURATION, "intelligence_other"), 200);
        json(cases, ci, "no operator results", TwilioWebhooks.intelligenceEvent(IngressUnderTest.CI_CONFIGURATION, "conv_ci_empty"), 200);
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void hostileWebhookGetsItsStatusAndProducesNothing(Case c) {
        long before = ingress.producedRecords();
        IngressUnderTest.Answer answer = send(c);
        tried.add(c.name());
        assertThat(answer.status()).as(c.name() + " -> " + answer.body()).isIn(c.expected());
        assertNoStackTrace(answer.body());
        assertThat(ingress.producedRecords()).as("records on tac.inbound.v1 after " + c.name()).isEqualTo(before);
    }

    @Test
    void theValidNeighbourOfTheCorpusProducesOneEvent() {
        long before = ingress.producedRecords();
        IngressUnderTest.Answer answer = ingress.postSignedJson("/webhook", bytes(VALID_JSON));
        assertThat(answer.status()).isEqualTo(200);
        assertThat(ingress.producedRecords()).isEqualTo(before + 1);
    }

    @Test
    void theValidConversationIntelligenceNeighbourProducesOneEvent() {
        long before = ingress.producedRecords();
        IngressUnderTest.Answer answer = ingress.postSignedJson("/ci-webhook", bytes(VALID_CI));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(ingress.producedRecords()).isEqualTo(before + 1);
    }

    @Test
    void aSignatureReplayedOnAnotherUrlIsRefused() {
        Map<String, String> form = Map.of("AccountSid", TwilioWebhooks.ACCOUNT_SID, "CallSid", "CAreplay");
        String signature = TwilioSignatures.sign(IngressUnderTest.TOKEN, ingress.base() + "/twiml", form);
        long before = ingress.producedRecords();
        for (String other : List.of("/conversation-relay-callback", "/webhook", "/twiml?x=1", "/TWIML")) {
            IngressUnderTest.Answer answer = ingress.post(other, "application/x-www-form-urlencoded",
                    bytes(TwilioWebhooks.encode(form)), Map.of("X-Twilio-Signature", signature));
            assertThat(answer.status()).as(other).isIn(403, 404);
        }
        // The original URL still accepts it (the signature itself was fine).
        assertThat(ingress.post("/twiml", "application/x-www-form-urlencoded", bytes(TwilioWebhooks.encode(form)),
                Map.of("X-Twilio-Signature", signature)).status()).isEqualTo(200);
        assertThat(ingress.producedRecords()).isEqualTo(before);
    }

    @Test
    void signatureEdgeCases() {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("AccountSid", TwilioWebhooks.ACCOUNT_SID);
        form.put("CallSid", "CAedge");
        byte[] body = bytes(TwilioWebhooks.encode(form));
        String publicUrl = "https://" + IngressUnderTest.PUBLIC_DOMAIN + "/twiml?tenant=a";
        String sig = TwilioSignatures.sign(IngressUnderTest.TOKEN, publicUrl, form);
        Map<String, String> signed = Map.of("X-Twilio-Signature", sig);

        // Behind a TLS-terminating proxy: the public https URL with its query is what was signed.
        assertThat(ingress.post("/twiml?tenant=a", "application/x-www-form-urlencoded", body, signed).status()).isEqualTo(200);
        assertThat(ingress.post("/twiml?tenant=a", "application/x-www-form-urlencoded", body, Map.of(
                "X-Twilio-Signature", sig, "X-Forwarded-Proto", "https", "X-Forwarded-Host", IngressUnderTest.PUBLIC_DOMAIN))
                .status()).isEqualTo(200);
        assertThat(ingress.post("/twiml?tenant=a", "application/x-www-form-urlencoded", body, Map.of(
                "X-Twilio-Signature", sig, "X-Forwarded-Proto", "https, http", "X-Forwarded-Host",
                IngressUnderTest.PUBLIC_DOMAIN + ", internal.local")).status()).as("first value of a list wins").isEqualTo(200);
        // A forged proxy header cannot make the signature fit another host or scheme.
        assertThat(ingress.post("/twiml?tenant=a", "application/x-www-form-urlencoded", body, Map.of(
                "X-Twilio-Signature", sig, "X-Forwarded-Proto", "http", "X-Forwarded-Host", IngressUnderTest.PUBLIC_DOMAIN))
                .status()).isEqualTo(403);
        assertThat(ingress.post("/twiml?tenant=a", "application/x-www-form-urlencoded", body, Map.of(
                "X-Twilio-Signature", sig, "X-Forwarded-Host", "evil.example.com")).status()).isEqualTo(403);
        // The query string is part of what is signed.
        assertThat(ingress.post("/twiml", "application/x-www-form-urlencoded", body, signed).status()).isEqualTo(403);
        assertThat(ingress.post("/twiml?tenant=b", "application/x-www-form-urlencoded", body, signed).status()).isEqualTo(403);
        assertThat(ingress.post("/twiml?tenant=a&x=1", "application/x-www-form-urlencoded", body, signed).status()).isEqualTo(403);
        // A parameter changed, added or dropped.
        assertThat(ingress.post("/twiml?tenant=a", "application/x-www-form-urlencoded",
                bytes(TwilioWebhooks.encode(Map.of("AccountSid", TwilioWebhooks.ACCOUNT_SID, "CallSid", "CAother"))), signed)
                .status()).isEqualTo(403);
        assertThat(ingress.post("/twiml?tenant=a", "application/x-www-form-urlencoded",
                concat(body, bytes("&Extra=1")), signed).status()).isEqualTo(403);
        // Empty, blank and repeated signature headers.
        assertThat(ingress.post("/twiml?tenant=a", "application/x-www-form-urlencoded", body,
                Map.of("X-Twilio-Signature", "")).status()).isEqualTo(403);
        assertThat(ingress.post("/twiml?tenant=a", "application/x-www-form-urlencoded", body,
                Map.of("X-Twilio-Signature", "    ")).status()).isEqualTo(403);
    }

    @Test
    void jsonBodyHashMustMatchAndMustBePresent() {
        byte[] body = bytes(VALID_JSON.replace("comms_hostile", "comms_hash"));
        long before = ingress.producedRecords();
        // bodySHA256 of another body, signature valid for that URL: the body was swapped in transit.
        String otherHash = IngressUnderTest.sha256Hex(bytes("{}"));
        String path = "/webhook?bodySHA256=" + otherHash;
        String sig = TwilioSignatures.signJson(IngressUnderTest.TOKEN, ingress.base() + path);
        assertThat(ingress.post(path, "application/json", body, Map.of("X-Twilio-Signature", sig)).status()).isEqualTo(403);
        // No bodySHA256 at all: the signature would cover the URL only, so the body is unauthenticated.
        String bare = TwilioSignatures.signJson(IngressUnderTest.TOKEN, ingress.base() + "/webhook");
        assertThat(ingress.post("/webhook", "application/json", body, Map.of("X-Twilio-Signature", bare)).status())
                .isEqualTo(403);
        // Hash in upper case hex, and the right hash with a valid signature: accepted.
        String upper = "/webhook?bodySHA256=" + IngressUnderTest.sha256Hex(body).toUpperCase();
        String upperSig = TwilioSignatures.signJson(IngressUnderTest.TOKEN, ingress.base() + upper);
        assertThat(ingress.post(upper, "application/json", body, Map.of("X-Twilio-Signature", upperSig)).status())
                .isIn(200, 403);
        assertThat(ingress.producedRecords()).isLessThanOrEqualTo(before + 1);
        assertThat(ingress.postSignedJson("/webhook", body).status()).isEqualTo(200);
    }

    @Test
    void secretsAndPhoneNumbersNeverReachTheLogs() {
        ingress.postSignedJson("/webhook", bytes(VALID_JSON.replace("comms_hostile", "comms_logs")));
        Map<String, String> form = Map.of("AccountSid", TwilioWebhooks.ACCOUNT_SID, "CallSid", "CAlogs",
                "From", TwilioWebhooks.CUSTOMER, "To", TwilioWebhooks.AGENT_NUMBER);
        ingress.postSignedForm("/twiml", form, bytes(TwilioWebhooks.encode(form)));
        assertThat(logs.lines()).isNotEmpty();
        assertThat(logs.containing(IngressUnderTest.TOKEN)).as("log lines with the auth token").isEmpty();
        assertThat(logs.containing(TwilioWebhooks.CUSTOMER)).as("log lines with a full customer number").isEmpty();
        assertThat(logs.containing(TwilioWebhooks.CUSTOMER.substring(1))).isEmpty();
    }

    private IngressUnderTest.Answer send(Case c) {
        return switch (c.signing()) {
            case JSON_VALID -> ingress.postSignedJson(c.path(), c.body());
            case FORM_OVER_EMPTY -> {
                String sig = TwilioSignatures.sign(IngressUnderTest.TOKEN, ingress.base() + c.path(), Map.of());
                yield ingress.post(c.path(), c.contentType(), c.body(), Map.of("X-Twilio-Signature", sig));
            }
            case FORM_OVER_PARSED -> {
                String sig = TwilioSignatures.sign(IngressUnderTest.TOKEN, ingress.base() + c.path(), parse(c.body()));
                yield ingress.post(c.path(), c.contentType(), c.body(), Map.of("X-Twilio-Signature", sig));
            }
            case NONE -> ingress.post(c.path(), c.contentType(), c.body(), Map.of());
            case FORGED -> ingress.post(c.path(), c.contentType(), c.body(), Map.of("X-Twilio-Signature",
                    TwilioSignatures.sign("not-the-token", ingress.base() + c.path(), parse(c.body()))));
        };
    }

    /** Form parameters as a server decodes them (first value wins), for signing what will be parsed. */
    static Map<String, String> parse(byte[] body) {
        Map<String, String> params = new LinkedHashMap<>();
        String text = new String(body, StandardCharsets.ISO_8859_1);
        if (text.isEmpty()) {
            return params;
        }
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            String[] kv = pair.split("=", 2);
            try {
                params.putIfAbsent(java.net.URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                        kv.length > 1 ? java.net.URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
            } catch (IllegalArgumentException e) {
                params.putIfAbsent(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        return params;
    }

    static void assertNoStackTrace(String body) {
        assertThat(body == null ? "" : body).doesNotContain("Exception").doesNotContain("\tat ")
                .doesNotContain("at io.").doesNotContain("at java.").doesNotContain("io.vertx")
                .doesNotContain("com.fasterxml");
    }

    /** The valid CI body with one thing changed. */
    private static String ci(Consumer<JsonObject> change) {
        JsonObject body = new JsonObject(VALID_CI);
        change.accept(body);
        return body.encode();
    }

    private static void json(List<Case> cases, String path, String name, String body, int status) {
        cases.add(new Case(path + " " + name, path, "application/json", bytes(body), Signing.JSON_VALID, Set.of(status)));
    }

    private static void form(List<Case> cases, String path, String name, String body, int status) {
        cases.add(new Case(path + " " + name, path, "application/x-www-form-urlencoded", bytes(body),
                Signing.FORM_OVER_PARSED, Set.of(status)));
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Replaces the \u0001 marker with a lone UTF-8 continuation byte. */
    private static byte[] badUtf8(String withMarker) {
        byte[] raw = bytes(withMarker);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == 1) {
                raw[i] = (byte) 0x80;
            }
        }
        return raw;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
