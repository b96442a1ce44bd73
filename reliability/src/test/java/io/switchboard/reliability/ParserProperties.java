package io.switchboard.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.localtwilio.TwilioWebhooks;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property-based: whatever a correctly signed caller sends to {@code /webhook}, ingress answers 200, 400 or 413 —
 * never a 5xx, never a stack trace — and a refused body produces no record. Inputs: random bytes, random text,
 * and valid Twilio payloads with one field replaced by a value of another JSON type, removed, or truncated.
 */
class ParserProperties {
    static IngressUnderTest ingress;

    @BeforeContainer
    static void start() throws Exception {
        ingress = new IngressUnderTest(Map.of());
    }

    @AfterContainer
    static void stop() {
        ingress.close();
    }

    @Property(tries = 150)
    void anySignedJsonBodyGetsAClearAnswerAndARefusalProducesNothing(@ForAll("jsonBodies") byte[] body) {
        long before = ingress.producedRecords();
        IngressUnderTest.Answer answer = ingress.postSignedJson("/webhook", body);
        assertThat(answer.status()).isIn(200, 400, 413);
        HostileWebhookTest.assertNoStackTrace(answer.body());
        long produced = ingress.producedRecords() - before;
        assertThat(produced).isLessThanOrEqualTo(answer.status() == 200 ? 1 : 0);
    }

    @Property(tries = 100)
    void anySignedFormGetsAClearAnswerAndARefusalProducesNothing(@ForAll("forms") Map<String, String> form) {
        long before = ingress.producedRecords();
        IngressUnderTest.Answer answer = ingress.postSignedForm("/webhook", form,
                TwilioWebhooks.encode(form).getBytes(StandardCharsets.UTF_8));
        assertThat(answer.status()).isIn(200, 400, 413);
        HostileWebhookTest.assertNoStackTrace(answer.body());
        assertThat(ingress.producedRecords() - before).isLessThanOrEqualTo(answer.status() == 200 ? 1 : 0);
    }

    @Provide
    Arbitrary<byte[]> jsonBodies() {
        Arbitrary<byte[]> randomBytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<byte[]> randomText = Arbitraries.strings().ofMaxLength(300).map(ParserProperties::utf8);
        Arbitrary<byte[]> mutated = Combinators.combine(validPayloads(), Arbitraries.integers().between(0, 40),
                jsonValues(), Arbitraries.integers().between(0, 2)).as(ParserProperties::mutate).map(ParserProperties::utf8);
        Arbitrary<byte[]> truncated = Combinators.combine(validPayloads(), Arbitraries.doubles().between(0, 1))
                .as((p, f) -> p.substring(0, (int) (p.length() * f))).map(ParserProperties::utf8);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, randomBytes), net.jqwik.api.Tuple.of(1, randomText),
                net.jqwik.api.Tuple.of(4, mutated), net.jqwik.api.Tuple.of(1, truncated));
    }

    @Provide
    Arbitrary<Map<String, String>> forms() {
        Arbitrary<String> names = Arbitraries.oneOf(Arbitraries.of("EventType", "ConversationSid", "MessageSid",
                "Body", "Author", "Source", "StateTo", "StateFrom", "ParticipantSid", "Attributes"),
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(10));
        Arbitrary<String> values = Arbitraries.oneOf(Arbitraries.of("onMessageAdded", "onConversationStateUpdated",
                "SMS", "WHATSAPP", "SDK", "+15559876543", "closed", "CH1", "IM1", ""), Arbitraries.strings().ofMaxLength(40));
        return Arbitraries.maps(names, values).ofMaxSize(8);
    }

    static Arbitrary<String> validPayloads() {
        return Arbitraries.of(
                TwilioWebhooks.communicationCreated("SMS", "conv_prop", "comms_prop", TwilioWebhooks.CUSTOMER, "hi"),
                TwilioWebhooks.communicationCreated("WHATSAPP", "conv_prop", "comms_prop2", "whatsapp:+15559876543", "hey"),
                TwilioWebhooks.conversationUpdated("conv_prop", "CLOSED"));
    }

    static Arbitrary<Object> jsonValues() {
        return Arbitraries.oneOf(Arbitraries.integers().map(i -> (Object) i), Arbitraries.strings().ofMaxLength(20).map(s -> (Object) s),
                Arbitraries.of(true, false).map(b -> (Object) b), Arbitraries.just(new JsonObject()).map(o -> (Object) o),
                Arbitraries.just(new JsonArray().add(1)).map(o -> (Object) o), Arbitraries.doubles().map(d -> (Object) d),
                Arbitraries.just("__null__").map(o -> (Object) o));
    }

    /** Replaces (mode 0), removes (1) or nulls (2) the {@code index}-th field found walking the payload. */
    static String mutate(String payload, int index, Object value, int mode) {
        JsonObject root = new JsonObject(payload);
        int[] counter = {index};
        walk(root, counter, value, mode);
        return root.encode();
    }

    private static boolean walk(JsonObject object, int[] counter, Object value, int mode) {
        for (String key : List.copyOf(object.fieldNames())) {
            if (counter[0]-- == 0) {
                switch (mode) {
                    case 0 -> object.put(key, "__null__".equals(value) ? null : value);
                    case 1 -> object.remove(key);
                    default -> object.putNull(key);
                }
                return true;
            }
            Object child = object.getValue(key);
            if (child instanceof JsonObject o && walk(o, counter, value, mode)) {
                return true;
            }
            if (child instanceof JsonArray a) {
                for (Object item : a) {
                    if (item instanceof JsonObject o && walk(o, counter, value, mode)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
