package io.switchboard.launcher;

import io.switchboard.agent.AgentConfig;
import io.switchboard.config.ConfigDocs;
import io.switchboard.config.KafkaSettings;
import io.switchboard.examples.llm.LlmConfig;
import io.switchboard.ingress.IngressConfig;
import io.switchboard.launcher.operator.OperatorConfig;
import io.switchboard.memory.service.MemoryConfig;
import io.switchboard.outbound.OutboundConfig;
import io.switchboard.router.RouterConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Every setting of every service, from the services' own {@link ConfigDef} declarations: the README's
 * configuration reference is generated from here, so it cannot drift from the code.
 */
public final class ConfigReference {
    private ConfigReference() {
    }

    /** Each service's declaration, by the sub-command that runs it; the shared Kafka settings first. */
    public static Map<String, ConfigDef> definitions() {
        Map<String, ConfigDef> definitions = new LinkedHashMap<>();
        definitions.put("every service", KafkaSettings.DEFINITION);
        definitions.put("ingress", IngressConfig.DEFINITION);
        definitions.put("router", RouterConfig.DEFINITION);
        definitions.put("memory", MemoryConfig.DEFINITION);
        definitions.put("outbound", OutboundConfig.DEFINITION);
        definitions.put("agent", AgentConfig.DEFINITION);
        definitions.put("agent (LLM)", LlmConfig.DEFINITION);
        definitions.put("operator listener, health, metrics and logs (every service)", OperatorConfig.DEFINITION);
        return definitions;
    }

    /** Every variable any service reads. */
    public static Set<String> allNames() {
        return definitions().values().stream().flatMap(def -> def.names().stream())
                .collect(Collectors.toUnmodifiableSet());
    }

    private static String capitalized(String text) {
        return Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    /** One Markdown table per service, leaving out the shared settings after the first. */
    public static String markdown() {
        Set<String> shared = ConfigDocs.names(KafkaSettings.DEFINITION);
        StringBuilder out = new StringBuilder();
        definitions().forEach((service, def) -> {
            out.append("### ").append(service.contains(" ") ? capitalized(service) : "`" + service + "`")
                    .append("\n\n")
                    .append(ConfigDocs.markdownTable(def, def.names().containsAll(shared) && def != KafkaSettings.DEFINITION
                            ? shared : Set.of()))
                    .append('\n');
        });
        return out.toString().stripTrailing() + "\n";
    }
}
