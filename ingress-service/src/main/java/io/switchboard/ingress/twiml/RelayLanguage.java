package io.switchboard.ingress.twiml;

import com.twilio.twiml.voice.Language;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One {@code <Language>} child of ConversationRelay: its code and its attributes by TwiML name. */
public record RelayLanguage(String code, Map<String, String> attributes) {
    /** The attributes a {@code <Language>} takes besides its code. */
    public static final List<String> ATTRIBUTES = List.of("voice", "ttsProvider", "transcriptionProvider", "speechModel",
            "ttsLanguage", "transcriptionLanguage");

    public RelayLanguage {
        if (code == null || code.isBlank()) {
            throw new IllegalArgumentException("a <Language> needs a code");
        }
        for (String key : attributes.keySet()) {
            if (!ATTRIBUTES.contains(key)) {
                throw new IllegalArgumentException("unknown <Language> attribute '" + key + "' (known: " + String.join(", ", ATTRIBUTES) + ")");
            }
        }
        code = code.trim();
        attributes = Map.copyOf(attributes);
    }

    /**
     * Reads the simple syntax of {@code TWILIO_VOICE_LANGUAGES}: {@code code;key=value;…} entries separated by
     * {@code ,}, e.g. {@code es-MX;voice=Polly.Mia;ttsLanguage=es-MX,fr-FR}.
     * @throws IllegalArgumentException naming what is wrong
     */
    public static List<RelayLanguage> parseList(String value) {
        List<RelayLanguage> result = new ArrayList<>();
        if (value == null) {
            return result;
        }
        for (String entry : value.split(",")) {
            String[] parts = entry.trim().split(";");
            if (parts.length == 0 || parts[0].isBlank()) { // ";" alone splits into nothing (found by TwimlOptionsFuzzTest)
                continue;
            }
            if (!TwimlText.isXmlText(entry)) {
                throw new IllegalArgumentException("'" + entry.trim() + "' holds a control character, which TwiML cannot carry");
            }
            Map<String, String> attributes = new LinkedHashMap<>();
            for (int i = 1; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("expected key=value in '" + parts[i] + "'");
                }
                attributes.put(parts[i].substring(0, eq).trim(), parts[i].substring(eq + 1).trim());
            }
            result.add(new RelayLanguage(parts[0], attributes));
        }
        return List.copyOf(result);
    }

    /** The element; the SDK's Language builder (13.0.1) lacks ttsLanguage and transcriptionLanguage: generic options. */
    Language toTwiml() {
        Language.Builder child = new Language.Builder().code(code);
        attributes.forEach((key, value) -> {
            switch (key) {
                case "voice" -> child.voice(value);
                case "ttsProvider" -> child.ttsProvider(value);
                case "transcriptionProvider" -> child.transcriptionProvider(value);
                case "speechModel" -> child.speechModel(value);
                default -> child.option(key, value);
            }
        });
        return child.build();
    }
}
