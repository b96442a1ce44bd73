package io.switchboard.topics;

/** Kafka could not be reached; the message names the bootstrap servers that were tried. */
public class KafkaUnavailableException extends RuntimeException {
    public KafkaUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
