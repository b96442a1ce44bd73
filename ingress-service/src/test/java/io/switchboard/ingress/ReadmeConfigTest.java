package io.switchboard.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.ConfigDocs;
import io.switchboard.config.KafkaSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's configuration table is the one generated from {@link IngressConfig#DEFINITION}. */
class ReadmeConfigTest {
    @Test
    void readmeConfigurationTableMatchesTheDeclarations() throws Exception {
        String table = ConfigDocs.markdownTable(IngressConfig.DEFINITION, ConfigDocs.names(KafkaSettings.DEFINITION));
        Path readme = Path.of("README.md");
        if (Boolean.getBoolean("switchboard.writeDocs")) {
            String text = Files.readString(readme);
            int start = text.indexOf("| variable |");
            int end = text.indexOf("\n\n", start);
            Files.writeString(readme, text.substring(0, start) + table.stripTrailing() + text.substring(end));
        }
        assertThat(Files.readString(readme)).contains(table);
    }
}
