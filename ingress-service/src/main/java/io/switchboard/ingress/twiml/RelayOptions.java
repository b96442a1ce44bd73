package io.switchboard.ingress.twiml;

import com.twilio.twiml.voice.ConversationRelay;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code <ConversationRelay>} options of one call: attribute values (absent: not emitted) and {@code <Language>}
 * children. Immutable; each {@code with…} returns a changed copy. Starts as the {@code TWILIO_VOICE_*} settings made it,
 * then the TwiML rules and the {@link TwimlCustomizer}s change it per call.
 */
public final class RelayOptions {
    private final Map<RelayAttribute, String> attributes;
    private final List<RelayLanguage> languages;

    private RelayOptions(Map<RelayAttribute, String> attributes, List<RelayLanguage> languages) {
        this.attributes = Collections.unmodifiableMap(attributes);
        this.languages = List.copyOf(languages);
    }

    /** No attribute, no language. */
    public static RelayOptions none() {
        return new RelayOptions(new EnumMap<>(RelayAttribute.class), List.of());
    }

    public Optional<String> get(RelayAttribute attribute) {
        return Optional.ofNullable(attributes.get(attribute));
    }

    /** Every attribute that is emitted, with its value. */
    public Map<RelayAttribute, String> attributes() {
        return attributes;
    }

    public List<RelayLanguage> languages() {
        return languages;
    }

    /**
     * With {@code attribute} set to {@code value} (normalized as {@link RelayAttribute#normalize}), or without it when
     * {@code value} is null, so that Twilio's default applies.
     * @throws IllegalArgumentException for a value Twilio would refuse
     */
    public RelayOptions with(RelayAttribute attribute, String value) {
        Map<RelayAttribute, String> changed = new EnumMap<>(RelayAttribute.class);
        changed.putAll(attributes);
        if (value == null) {
            changed.remove(attribute);
        } else {
            changed.put(attribute, attribute.normalize(value));
        }
        return new RelayOptions(changed, languages);
    }

    /**
     * The same by TwiML name ({@code "language"}, {@code "welcomeGreeting"}, …).
     * @throws IllegalArgumentException for an unknown name or a value Twilio would refuse
     */
    public RelayOptions with(String twilioName, String value) {
        RelayAttribute attribute = RelayAttribute.byTwilioName(twilioName).orElseThrow(
                () -> new IllegalArgumentException("unknown ConversationRelay attribute '" + twilioName + "'"));
        return with(attribute, value);
    }

    /** With these {@code <Language>} children instead of the current ones. */
    public RelayOptions withLanguages(List<RelayLanguage> replacement) {
        Map<RelayAttribute, String> same = new EnumMap<>(RelayAttribute.class);
        same.putAll(attributes);
        return new RelayOptions(same, replacement);
    }

    /** Writes the options onto a ConversationRelay builder (ingress's TwiML handler does). */
    public ConversationRelay.Builder applyTo(ConversationRelay.Builder relay) {
        attributes.forEach((attribute, value) -> attribute.apply(relay, value));
        languages.forEach(language -> relay.language(language.toTwiml()));
        return relay;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RelayOptions other && attributes.equals(other.attributes) && languages.equals(other.languages);
    }

    @Override
    public int hashCode() {
        return Objects.hash(attributes, languages);
    }

    @Override
    public String toString() {
        return "RelayOptions" + attributes + languages;
    }
}
