package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.ConfigDocs;
import io.switchboard.config.KafkaSettings;
import io.switchboard.ingress.IngressConfig;
import io.switchboard.launcher.observability.ObservabilityConfig;
import io.switchboard.memory.service.MemoryConfig;
import io.switchboard.outbound.OutboundConfig;
import io.switchboard.router.RouterConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

/** The README's configuration reference is generated from the config declarations, so it cannot drift. */
class ConfigurationReferenceTest {
    private static final Path README = Path.of("..", "README.md");
    private static final String BEGIN = "<!-- configuration:begin -->\n";
    private static final String END = "<!-- configuration:end -->";

    @Test
    void theReadmeDocumentsEverySettingAsTheCodeDeclaresIt() throws Exception {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        assertThat(begin).as("README markers").isNotNegative();
        assertThat(end).isGreaterThan(begin);
        String expected = reference();
        if (Boolean.getBoolean("switchboard.updateReadme")) {
            readme = readme.substring(0, begin + BEGIN.length()) + expected + readme.substring(end);
            Files.writeString(README, readme, StandardCharsets.UTF_8);
        }
        String documented = Files.readString(README, StandardCharsets.UTF_8);
        documented = documented.substring(documented.indexOf(BEGIN) + BEGIN.length(), documented.indexOf(END));
        assertThat(documented).as("README configuration reference; regenerate with -Dswitchboard.updateReadme=true")
                .isEqualTo(expected);
    }

    static String reference() {
        Set<String> shared = ConfigDocs.names(KafkaSettings.DEFINITION);
        Map<String, ConfigDef> sections = new LinkedHashMap<>();
        sections.put("Every service: Kafka", KafkaSettings.DEFINITION);
        sections.put("Every service: observability", ObservabilityConfig.DEFINITION);
        sections.put("`ingress`", IngressConfig.DEFINITION);
        sections.put("`router`", RouterConfig.DEFINITION);
        sections.put("`outbound`", OutboundConfig.DEFINITION);
        sections.put("`memory`", MemoryConfig.DEFINITION);
        StringBuilder out = new StringBuilder();
        sections.forEach((title, definition) -> out.append("\n### ").append(title).append("\n\n")
                .append(ConfigDocs.markdownTable(definition, title.startsWith("Every") ? Set.of() : shared)));
        return out.append("\n").toString();
    }
}
