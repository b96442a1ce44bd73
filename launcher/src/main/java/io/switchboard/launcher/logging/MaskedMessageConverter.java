package io.switchboard.launcher.logging;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.switchboard.logging.Redaction;

/** {@code %maskedMsg}: the formatted message with phone numbers and e-mail addresses masked ({@link Redaction}). */
public final class MaskedMessageConverter extends MessageConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return Redaction.mask(super.convert(event));
    }
}
