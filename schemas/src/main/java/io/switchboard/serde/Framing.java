package io.switchboard.serde;

/** How an Avro record is framed on the wire. */
public enum Framing {
    /** Avro single-object encoding: {@code C3 01}, 8-byte schema fingerprint, body. No registry needed. */
    EMBEDDED,
    /** Confluent wire framing: magic byte 0, 4-byte schema id, body; schemas live in a registry. */
    REGISTRY
}
