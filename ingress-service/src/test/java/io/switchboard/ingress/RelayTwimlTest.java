package io.switchboard.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.localtwilio.TwilioWebhooks.Response;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code <ConversationRelay>} ingress answers Twilio's voice webhook with, over real HTTP: every attribute TAC
 * emits when its setting is set, none Twilio defaults when unset, and per-call options from the TwiML rules and the
 * customizer SPI.
 */
class RelayTwimlTest {
    static final String DOMAIN = "switchboard.example.com";
    static final String SALES = "+15551230001";
    static Vertx vertx;
    static IngressFixture bare;
    static IngressFixture everything;
    static IngressFixture ruled;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        bare = new IngressFixture(vertx, 0, Map.of("TWILIO_VOICE_PUBLIC_DOMAIN", DOMAIN));
        Map<String, String> all = new HashMap<>(Map.ofEntries(
                entry("TWILIO_VOICE_PUBLIC_DOMAIN", DOMAIN),
                entry("TWILIO_VOICE_WELCOME_GREETING", "Hi there"),
                entry("TWILIO_VOICE_WELCOME_GREETING_INTERRUPTIBLE", "speech"),
                entry("TWILIO_VOICE_LANGUAGE", "en-US"),
                entry("TWILIO_VOICE_TTS_LANGUAGE", "en-GB"),
                entry("TWILIO_VOICE_TRANSCRIPTION_LANGUAGE", "en-AU"),
                entry("TWILIO_VOICE_VOICE", "en-US-Journey-O"),
                entry("TWILIO_VOICE_TTS_PROVIDER", "Google"),
                entry("TWILIO_VOICE_TRANSCRIPTION_PROVIDER", "Deepgram"),
                entry("TWILIO_VOICE_SPEECH_MODEL", "nova-3-general"),
                entry("TWILIO_VOICE_ELEVENLABS_TEXT_NORMALIZATION", "Auto"),
                entry("TWILIO_VOICE_EOT_THRESHOLD", "0.7"),
                entry("TWILIO_VOICE_PARTIAL_PROMPTS", "true"),
                entry("TWILIO_VOICE_DEEPGRAM_SMART_FORMAT", "true"),
                entry("TWILIO_VOICE_SPEECH_TIMEOUT", "1200"),
                entry("TWILIO_VOICE_INTERRUPTIBLE", "false"),
                entry("TWILIO_VOICE_INTERRUPT_SENSITIVITY", "high"),
                entry("TWILIO_VOICE_REPORT_INPUT_DURING_AGENT_SPEECH", "speech"),
                entry("TWILIO_VOICE_IGNORE_BACKCHANNEL", "TRUE"),
                entry("TWILIO_VOICE_PREEMPTIBLE", "true"),
                entry("TWILIO_VOICE_DTMF_DETECTION", "false"),
                entry("TWILIO_VOICE_PROFANITY_FILTER", "false"),
                entry("TWILIO_VOICE_HINTS", "Switchboard, Kafka"),
                entry("TWILIO_VOICE_EVENTS", "speaker-events"),
                entry("TWILIO_VOICE_DEBUG", "debugging"),
                entry("TWILIO_VOICE_INTELLIGENCE_SERVICE", "GA00000000000000000000000000000000"),
                entry("TWILIO_VOICE_LANGUAGES", "es-MX;voice=Polly.Mia;ttsProvider=Amazon;ttsLanguage=es-US;transcriptionLanguage=es-MX,fr-FR")));
        everything = new IngressFixture(vertx, 0, all);
        ruled = new IngressFixture(vertx, 0, Map.of(
                "TWILIO_VOICE_PUBLIC_DOMAIN", DOMAIN,
                "TWILIO_VOICE_LANGUAGE", "en-US",
                "SWITCHBOARD_VOICE_TWIML_RULES", """
                        [{"match": {"CallerCountry": "MX"}, "set": {"language": "es-MX", "voice": "Google.es-US-Neural2-A",
                                                                  "languages": "es-MX;ttsLanguage=es-US,en-US"}},
                         {"match": {"To": ["+15550000000", "%s"]}, "set": {"welcomeGreeting": "Sales, how can I help?", "dtmfDetection": true}},
                         {"match": {"From": "+44*"}, "set": {"language": "en-GB", "welcomeGreeting": null}},
                         {"match": {"tier": "gold", "CallerCountry": "MX"}, "set": {"voice": "Google.es-US-Neural2-B"}}]
                        """.formatted(SALES)));
    }

    @AfterAll
    static void stop() throws Exception {
        for (IngressFixture fixture : new IngressFixture[] {bare, everything, ruled}) {
            if (fixture != null) {
                fixture.close();
            }
        }
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private static RelayTwiml call(IngressFixture ingress, String path, Map<String, String> changes) {
        Map<String, String> form = TwilioWebhooks.incomingCall("CA" + Long.toHexString(System.nanoTime()) + "0000000000000000");
        form.putAll(changes);
        Response response = ingress.twilio.postForm(path, form);
        assertThat(response.status()).isEqualTo(200);
        return RelayTwiml.parse(response.body());
    }

    @Test
    void unsetAttributesAreNotEmittedSoTwiliosDefaultsApply() {
        RelayTwiml twiml = call(bare, "/twiml", Map.of());
        assertThat(twiml.attributes()).containsOnly(
                entry("url", "wss://" + DOMAIN + "/ws"),
                entry("welcomeGreeting", "Hello! How can I assist you today?"));
        assertThat(twiml.languages()).isEmpty();
    }

    @Test
    void everyAttributeTacEmitsIsEmittedUnderTwiliosNameWhenSet() {
        RelayTwiml twiml = call(everything, "/twiml", Map.of());
        assertThat(twiml.attributes()).containsOnly(
                entry("url", "wss://" + DOMAIN + "/ws"),
                entry("welcomeGreeting", "Hi there"),
                entry("welcomeGreetingInterruptible", "speech"),
                entry("language", "en-US"),
                entry("ttsLanguage", "en-GB"),
                entry("transcriptionLanguage", "en-AU"),
                entry("voice", "en-US-Journey-O"),
                entry("ttsProvider", "Google"),
                entry("transcriptionProvider", "Deepgram"),
                entry("speechModel", "nova-3-general"),
                entry("elevenlabsTextNormalization", "auto"),
                entry("eotThreshold", "0.7"),
                entry("partialPrompts", "true"),
                entry("deepgramSmartFormat", "true"),
                entry("speechTimeout", "1200"),
                entry("interruptible", "none"),
                entry("interruptSensitivity", "high"),
                entry("reportInputDuringAgentSpeech", "speech"),
                entry("ignoreBackchannel", "true"),
                entry("preemptible", "true"),
                entry("dtmfDetection", "false"),
                entry("profanityFilter", "false"),
                entry("hints", "Switchboard, Kafka"),
                entry("events", "speaker-events"),
                entry("debug", "debugging"),
                entry("intelligenceService", "GA00000000000000000000000000000000"));
        assertThat(twiml.languages()).containsExactly(
                Map.of("code", "es-MX", "voice", "Polly.Mia", "ttsProvider", "Amazon", "ttsLanguage", "es-US",
                        "transcriptionLanguage", "es-MX"),
                Map.of("code", "fr-FR"));
    }

    @Test
    void aCallMatchingNoRuleGetsTheSettings() {
        RelayTwiml twiml = call(ruled, "/twiml", Map.of());
        assertThat(twiml.attributes()).containsOnly(entry("url", "wss://" + DOMAIN + "/ws"),
                entry("welcomeGreeting", "Hello! How can I assist you today?"), entry("language", "en-US"));
    }

    @Test
    void theCallersCountryChoosesTheLanguageAndItsLanguages() {
        RelayTwiml twiml = call(ruled, "/twiml", Map.of("CallerCountry", "MX", "From", "+525512345678"));
        assertThat(twiml.attributes()).contains(entry("language", "es-MX"), entry("voice", "Google.es-US-Neural2-A"))
                .doesNotContainKey("dtmfDetection");
        assertThat(twiml.languages()).containsExactly(Map.of("code", "es-MX", "ttsLanguage", "es-US"), Map.of("code", "en-US"));
    }

    @Test
    void theDialledNumberChoosesTheGreetingAndEveryMatchingRuleApplies() {
        RelayTwiml twiml = call(ruled, "/twiml", Map.of("To", SALES, "CallerCountry", "MX"));
        assertThat(twiml.attributes()).contains(entry("welcomeGreeting", "Sales, how can I help?"),
                entry("dtmfDetection", "true"), entry("language", "es-MX"));
    }

    @Test
    void aCallerPrefixRuleCanRemoveTheGreeting() {
        RelayTwiml twiml = call(ruled, "/twiml", Map.of("From", "+447700900123", "To", SALES));
        // the From rule comes after the To rule: it wins where both set the greeting
        assertThat(twiml.attributes()).contains(entry("language", "en-GB"), entry("dtmfDetection", "true"))
                .doesNotContainKey("welcomeGreeting");
    }

    @Test
    void aCustomParameterOfTheWebhookUrlCanBeMatched() {
        assertThat(call(ruled, "/twiml?tier=gold", Map.of("CallerCountry", "MX")).attributes())
                .containsEntry("voice", "Google.es-US-Neural2-B");
        assertThat(call(ruled, "/twiml?tier=gold", Map.of()).attributes()).doesNotContainKey("voice");
    }

    @Test
    void aCustomizerFoundByServiceLoaderChangesTheCallsOptionsAfterTheRules() {
        RelayTwiml twiml = call(ruled, "/twiml?customizer=city", Map.of("CallerCountry", "MX"));
        assertThat(twiml.attributes()).contains(entry("welcomeGreeting", "Hello SAN FRANCISCO!"),
                entry("hints", "MX +15551234567"), entry("language", "es-MX"));
    }

    @Test
    void aFailingCustomizerLeavesTheCallWithTheOptionsItWasGiven() {
        RelayTwiml twiml = call(ruled, "/twiml?customizer=fail", Map.of("CallerCountry", "MX"));
        assertThat(twiml.attributes()).contains(entry("welcomeGreeting", "Hello! How can I assist you today?"),
                entry("language", "es-MX")).doesNotContainKey("hints");
    }
}
