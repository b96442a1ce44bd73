package io.switchboard.launcher;

import io.switchboard.config.InvalidConfigurationException;
import io.switchboard.topics.KafkaUnavailableException;

/** Start failures a user fixes from the message alone (a setting, the Kafka address): exit code 2, no stack trace. */
public final class StartupFailures {
    public static final int USAGE_ERROR = 2;

    private StartupFailures() {
    }

    /** The configuration or Kafka failure behind {@code failure}, if that is what it is (services may wrap it). */
    public static RuntimeException userFixable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InvalidConfigurationException || t instanceof KafkaUnavailableException) {
                return (RuntimeException) t;
            }
        }
        return null;
    }

    /** One line: the message, without the nested cause's stack. */
    public static String oneLine(Throwable failure) {
        String message = failure.getMessage() == null ? failure.toString() : failure.getMessage();
        return message.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
