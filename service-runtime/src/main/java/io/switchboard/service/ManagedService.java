package io.switchboard.service;

/**
 * A Switchboard service as the launcher runs it: alone (one sub-command each) or several in one JVM (`dev`).
 * {@link #start()} returns once the service is ready to do its work, or throws with a message that names what is
 * wrong (a missing setting, an unreachable broker); {@link #close()} stops it gracefully and may be called twice.
 */
public interface ManagedService extends AutoCloseable {
    String name();

    void start() throws Exception;

    @Override
    void close();
}
