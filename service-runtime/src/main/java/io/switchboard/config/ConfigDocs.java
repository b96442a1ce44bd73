package io.switchboard.config;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;

/** Renders a {@link ConfigDef} as the Markdown table the README carries, so the documentation cannot drift. */
public final class ConfigDocs {
    private ConfigDocs() {
    }

    /** A table of the settings of {@code def}, leaving out those in {@code except} (e.g. ones documented elsewhere). */
    public static String markdownTable(ConfigDef def, Set<String> except) {
        StringBuilder out = new StringBuilder("| variable | default | description |\n| --- | --- | --- |\n");
        def.configKeys().values().stream()
                .filter(key -> !except.contains(key.name))
                .sorted(Comparator.comparing(key -> key.name))
                .forEach(key -> out.append("| `").append(key.name).append("` | ")
                        .append(defaultOf(key)).append(" | ")
                        .append(key.documentation.replace("|", "\\|").replace("\n", " ")).append(" |\n"));
        return out.toString();
    }

    public static Set<String> names(ConfigDef def) {
        return def.configKeys().keySet().stream().collect(Collectors.toUnmodifiableSet());
    }

    private static String defaultOf(ConfigDef.ConfigKey key) {
        if (!key.hasDefault()) {
            return "**required**";
        }
        Object value = key.defaultValue;
        if (value == null || value.toString().isEmpty()) {
            return "—";
        }
        if (value instanceof List<?> list) {
            return list.isEmpty() ? "—" : "`" + String.join(",", list.stream().map(Object::toString).toList()) + "`";
        }
        return "`" + value + "`";
    }
}
