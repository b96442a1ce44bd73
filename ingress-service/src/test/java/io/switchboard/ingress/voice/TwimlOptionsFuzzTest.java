package io.switchboard.ingress.voice;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.switchboard.config.InvalidConfigurationException;
import io.switchboard.ingress.IngressConfig;
import io.switchboard.ingress.twiml.RelayAttribute;
import io.switchboard.ingress.twiml.RelayLanguage;
import io.switchboard.ingress.twiml.RelayOptions;
import io.switchboard.ingress.twiml.TwimlText;
import io.switchboard.testkit.FuzzInputs;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The TwiML options on any value: {@code TWILIO_VOICE_LANGUAGES} and the other ConversationRelay settings, plus the
 * call's form parameters. A configuration is either refused at start with {@link InvalidConfigurationException}
 * (naming the setting) or every {@code /twiml} answer it makes is well-formed XML whose {@code <ConversationRelay>}
 * attributes, {@code <Language>} children and {@code <Parameter>}s read back as exactly the configured and received
 * values (encode → decode = identity); a received value that XML cannot carry is left out.
 */
class TwimlOptionsFuzzTest {
    private static final List<RelayAttribute> ATTRIBUTES = List.of(RelayAttribute.LANGUAGE, RelayAttribute.VOICE,
            RelayAttribute.WELCOME_GREETING, RelayAttribute.TTS_PROVIDER, RelayAttribute.TRANSCRIPTION_PROVIDER,
            RelayAttribute.INTERRUPTIBLE, RelayAttribute.DEBUG);
    private static final List<String> SETTINGS = settings();
    private static final DocumentBuilderFactory XML = DocumentBuilderFactory.newInstance();

    /** Lines: the eight settings above in order, then the call's From and its conversationId query parameter. */
    @FuzzTest
    void optionsBecomeTheTwimlTheySay(byte[] input) throws Exception {
        List<String> f = FuzzInputs.fields(input, SETTINGS.size() + 2);
        Map<String, String> env = new HashMap<>(Map.of("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092",
                "TWILIO_ACCOUNT_SID", "AC1", "TWILIO_AUTH_TOKEN", "t"));
        for (int i = 0; i < SETTINGS.size(); i++) {
            env.put(SETTINGS.get(i), f.get(i));
        }
        IngressConfig config;
        try {
            config = FuzzInputs.bounded(() -> IngressConfig.fromEnv(env));
        } catch (InvalidConfigurationException refused) {
            assertThat(refused.getMessage()).containsAnyOf(SETTINGS.toArray(String[]::new));
            return;
        }
        Map<String, String> form = new LinkedHashMap<>(Map.of("CallSid", "CAfuzz"));
        form.put("From", f.get(SETTINGS.size()));
        String conversationId = f.get(SETTINGS.size() + 1);
        String twiml = FuzzInputs.bounded(() -> new TwimlHandler(config)
                .twiml("voice.example.com", form, Map.of("conversationId", conversationId)));

        Element relay = (Element) parse(twiml).getElementsByTagName("ConversationRelay").item(0);
        RelayOptions options = config.relayOptions();
        for (RelayAttribute attribute : ATTRIBUTES) {
            assertAttribute(relay, attribute.twilioName(), options.get(attribute).orElse(null));
        }
        NodeList languages = relay.getElementsByTagName("Language");
        assertThat(languages.getLength()).isEqualTo(options.languages().size());
        for (int i = 0; i < languages.getLength(); i++) {
            Element language = (Element) languages.item(i);
            RelayLanguage configured = options.languages().get(i);
            assertAttribute(language, "code", configured.code());
            for (String key : RelayLanguage.ATTRIBUTES) {
                assertAttribute(language, key, configured.attributes().get(key));
            }
        }
        Map<String, String> parameters = new HashMap<>();
        NodeList list = relay.getElementsByTagName("Parameter");
        for (int i = 0; i < list.getLength(); i++) {
            Element parameter = (Element) list.item(i);
            parameters.put(parameter.getAttribute("name"), parameter.getAttribute("value"));
        }
        assertThat(parameters.get("From")).isEqualTo(carried(form.get("From")));
        assertThat(parameters.get("conversationId")).isEqualTo(carried(conversationId));
    }

    /** TWILIO_VOICE_LANGUAGES, then the attributes' settings. */
    private static List<String> settings() {
        List<String> settings = new ArrayList<>(List.of(IngressConfig.LANGUAGES));
        ATTRIBUTES.forEach(attribute -> settings.add(attribute.setting()));
        return List.copyOf(settings);
    }

    /** A received value as the TwiML carries it: left out when blank or not XML text. */
    private static String carried(String value) {
        return value.isBlank() || !TwimlText.isXmlText(value) ? null : value;
    }

    private static void assertAttribute(Element element, String name, String expected) {
        assertThat(element.hasAttribute(name) ? element.getAttribute(name) : null).as(name).isEqualTo(expected);
    }

    private static Document parse(String xml) throws Exception {
        DocumentBuilder builder = XML.newDocumentBuilder();
        builder.setErrorHandler(null);
        return builder.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }
}
