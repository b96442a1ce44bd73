package io.switchboard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Free loopback ports for servers a test starts on a port it must know beforehand. Several ports asked for at once are
 * distinct: each socket stays bound until all are chosen, since asking the OS for a free port twice in a row can give
 * the same port twice (a broker given one port for two listeners refuses to start).
 */
public final class FreePorts {

    private FreePorts() {
    }

    /** One free port on the loopback address. */
    public static int one() {
        return distinct(1)[0];
    }

    /** {@code count} different free ports on the loopback address. */
    public static int[] distinct(int count) {
        List<ServerSocket> held = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                held.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return held.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } catch (IOException e) {
            throw new UncheckedIOException("could not bind a free loopback port", e);
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // the port is still free for the caller to bind
                }
            }
        }
    }
}
