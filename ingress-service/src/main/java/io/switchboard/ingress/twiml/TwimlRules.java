package io.switchboard.ingress.twiml;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Declarative per-call TwiML: a JSON array of rules, each {@code {"match": {...}, "set": {...}}}. A rule matches a call
 * when every {@code match} entry does: the request parameter of that name ({@code From}, {@code To}, {@code CallSid},
 * {@code CallerCountry}, any other form field or custom query parameter) equals the value, or starts with it when the
 * value ends with {@code *}; a list of values matches when one does. Every matching rule applies, in order, so a later
 * one overrides what an earlier one set. {@code set} holds ConversationRelay attributes by TwiML name (null removes
 * one, so that Twilio's default applies) and {@code languages}, the {@code <Language>} children in
 * {@code TWILIO_VOICE_LANGUAGES}'s syntax.
 * <pre>
 * [{"match": {"CallerCountry": "MX"}, "set": {"language": "es-MX", "voice": "Google.es-US-Neural2-A"}},
 *  {"match": {"To": ["+15551230001", "+15551230002"]}, "set": {"welcomeGreeting": "Sales, how can I help?"}},
 *  {"match": {"From": "+44*"}, "set": {"language": "en-GB"}}]
 * </pre>
 */
public final class TwimlRules {
    private static final String LANGUAGES = "languages";
    private static final Set<String> RULE_KEYS = Set.of("match", "set");

    private record Rule(Map<String, List<String>> match, JsonObject set, List<RelayLanguage> languages) {
        boolean matches(CallRequest call) {
            return match.entrySet().stream().allMatch(e -> {
                String actual = call.parameter(e.getKey());
                return actual != null && e.getValue().stream().anyMatch(expected -> expected.endsWith("*")
                        ? actual.startsWith(expected.substring(0, expected.length() - 1)) : actual.equals(expected));
            });
        }

        RelayOptions apply(RelayOptions options) {
            RelayOptions result = options;
            for (String name : set.fieldNames()) {
                if (!name.equals(LANGUAGES)) {
                    result = result.with(name, scalar(name, set.getValue(name)));
                }
            }
            return languages == null ? result : result.withLanguages(languages);
        }
    }

    private final List<Rule> rules;

    private TwimlRules(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    public static TwimlRules none() {
        return new TwimlRules(List.of());
    }

    /**
     * Reads and checks the rules: every attribute name and value is checked now, so a call never meets a bad rule.
     * @throws IllegalArgumentException naming the rule (from 1) and what is wrong with it
     */
    public static TwimlRules parse(String json) {
        JsonArray array;
        try {
            array = new JsonArray(json);
        } catch (DecodeException | ClassCastException e) {
            throw new IllegalArgumentException("not a JSON array of rules: " + e.getMessage());
        }
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            try {
                rules.add(rule(array.getValue(i)));
            } catch (IllegalArgumentException | ClassCastException e) {
                throw new IllegalArgumentException("rule " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return new TwimlRules(rules);
    }

    private static Rule rule(Object value) {
        if (!(value instanceof JsonObject rule)) {
            throw new IllegalArgumentException("expected an object {\"match\": {...}, \"set\": {...}}");
        }
        for (String key : rule.fieldNames()) {
            if (!RULE_KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown key '" + key + "' (a rule has match and set)");
            }
        }
        JsonObject match = object(rule, "match");
        JsonObject set = object(rule, "set");
        Map<String, List<String>> conditions = new LinkedHashMap<>();
        for (String parameter : match.fieldNames()) {
            Object expected = match.getValue(parameter);
            List<String> values = new ArrayList<>();
            if (expected instanceof JsonArray list && !list.isEmpty()) {
                list.forEach(v -> values.add(text(parameter, v)));
            } else {
                values.add(text(parameter, expected));
            }
            conditions.put(parameter, List.copyOf(values));
        }
        List<RelayLanguage> languages = set.containsKey(LANGUAGES) ? RelayLanguage.parseList(text(LANGUAGES, set.getValue(LANGUAGES))) : null;
        Rule parsed = new Rule(conditions, set.copy(), languages);
        parsed.apply(RelayOptions.none()); // checks every attribute name and value
        return parsed;
    }

    /** An attribute's value: a string, a boolean or a number as Twilio writes it; null removes the attribute. */
    private static String scalar(String name, Object value) {
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Number) {
            return value == null ? null : value.toString();
        }
        throw new IllegalArgumentException("'" + name + "' must be a string, a boolean, a number or null");
    }

    private static JsonObject object(JsonObject rule, String key) {
        if (!(rule.getValue(key) instanceof JsonObject object) || object.isEmpty()) {
            throw new IllegalArgumentException("'" + key + "' must be a non-empty object");
        }
        return object;
    }

    private static String text(String name, Object value) {
        if (!(value instanceof String s) || s.isBlank()) {
            throw new IllegalArgumentException("'" + name + "' must be a non-empty string (or a list of them in match)");
        }
        return s;
    }

    /** {@code options} changed by every rule that matches {@code call}, in order. */
    public RelayOptions apply(CallRequest call, RelayOptions options) {
        RelayOptions result = options;
        for (Rule rule : rules) {
            if (rule.matches(call)) {
                result = rule.apply(result);
            }
        }
        return result;
    }

    public int size() {
        return rules.size();
    }
}
