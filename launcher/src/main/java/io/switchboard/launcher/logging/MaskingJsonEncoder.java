package io.switchboard.launcher.logging;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.switchboard.logging.Redaction;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Logback's {@link JsonEncoder} (one JSON object per line, the MDC — {@code conversationId}, {@code traceId} —
 * included) with phone numbers and e-mail addresses masked by {@link Redaction} in the message, its arguments and
 * the MDC values. Selected by {@code SWITCHBOARD_LOG_FORMAT=json} (see logback.xml).
 */
public final class MaskingJsonEncoder extends JsonEncoder {
    @Override
    public byte[] encode(ILoggingEvent event) {
        return super.encode(masked(event));
    }

    static ILoggingEvent masked(ILoggingEvent event) {
        return (ILoggingEvent) Proxy.newProxyInstance(ILoggingEvent.class.getClassLoader(),
                new Class<?>[] {ILoggingEvent.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getMessage":
                            return Redaction.mask(event.getMessage());
                        case "getFormattedMessage":
                            return Redaction.mask(event.getFormattedMessage());
                        case "getArgumentArray":
                            return maskAll(event.getArgumentArray());
                        case "getMDCPropertyMap":
                        case "getMdc":
                            return maskValues(event.getMDCPropertyMap());
                        default:
                            try {
                                return method.invoke(event, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                    }
                });
    }

    private static Object[] maskAll(Object[] arguments) {
        if (arguments == null) {
            return null;
        }
        Object[] masked = new Object[arguments.length];
        for (int i = 0; i < arguments.length; i++) {
            masked[i] = arguments[i] == null ? null : Redaction.mask(String.valueOf(arguments[i]));
        }
        return masked;
    }

    private static Map<String, String> maskValues(Map<String, String> mdc) {
        if (mdc == null) {
            return null;
        }
        Map<String, String> masked = new LinkedHashMap<>();
        mdc.forEach((k, v) -> masked.put(k, Redaction.mask(v)));
        return masked;
    }
}
