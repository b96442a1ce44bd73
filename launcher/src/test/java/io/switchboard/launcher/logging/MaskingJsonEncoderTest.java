package io.switchboard.launcher.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MaskingJsonEncoderTest {
    private final LoggerContext context = new LoggerContext();
    private final Logger logger = context.getLogger("io.switchboard.test");

    @Test
    void jsonLinesCarryTheConversationAndTraceIdsAndNeverAWholePhoneNumber() throws Exception {
        MaskingJsonEncoder encoder = new MaskingJsonEncoder();
        encoder.setContext(context);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        LoggingEvent event = new LoggingEvent("test", logger, Level.INFO, "Message from {} to {}", null,
                new Object[] {"whatsapp:+14155550109", "+15551234567"});
        event.setMDCPropertyMap(Map.of("conversationId", "CH123", "traceId", "t-1", "customer", "+14155550109"));

        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);

        assertThat(line).doesNotContain("4155550109").doesNotContain("5551234567").endsWith("\n");
        JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.get("level").asText()).isEqualTo("INFO");
        assertThat(json.get("formattedMessage").asText()).isEqualTo("Message from whatsapp:+141******09 to +155******67");
        assertThat(json.get("mdc").get("conversationId").asText()).isEqualTo("CH123");
        assertThat(json.get("mdc").get("traceId").asText()).isEqualTo("t-1");
        assertThat(json.get("timestamp").asLong()).isEqualTo(event.getTimeStamp());
    }

    @Test
    void theTextPatternMasksTheMessageToo() {
        MaskedMessageConverter converter = new MaskedMessageConverter();
        LoggingEvent event = new LoggingEvent("test", logger, Level.INFO, "Call from {}", null,
                new Object[] {"+15559876543"});
        assertThat(converter.convert(event)).isEqualTo("Call from +155******43");
    }
}
