package io.switchboard.service;

import java.util.Optional;

/**
 * What a service contributes to {@code /readyz}: whether it can do its work now (e.g. its Kafka Streams instance is
 * RUNNING). The launcher adds the checks every service shares (Kafka reachable, topics present) and serves the
 * result on the HTTP port. Called off the event loop; may block briefly, never long.
 */
@FunctionalInterface
public interface Readiness {
    /** Empty when ready; otherwise one short line saying what is not ready yet. */
    Optional<String> notReady();
}
