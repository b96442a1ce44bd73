package io.switchboard.ingress.http;

import io.vertx.core.http.HttpServerOptions;

/**
 * The options of the public HTTP server, in one place so that tests serving the same routes get the same limits.
 *
 * <p>A form webhook is decoded by Netty as it arrives. With Vert.x's defaults (an attribute at most 8 KiB, at most
 * 1 KiB of a field buffered while its end is not in sight) the same request could be answered 200 in one TCP segment
 * and 400 in several — a fuzzer found it with a long field name. The body limit already bounds what one request may
 * hold, so the form limits follow it and the answer no longer depends on how the body was cut.
 */
public final class PublicServerOptions {
    /** Largest relay WebSocket frame and message accepted (ConversationRelay's frames are a few hundred bytes). */
    public static final int MAX_RELAY_MESSAGE_BYTES = 64 * 1024;

    private PublicServerOptions() {
    }

    /** Options for a server on {@code port} whose webhook bodies may be up to {@code webhookBodyLimit} bytes. */
    public static HttpServerOptions create(int port, int webhookBodyLimit) {
        return new HttpServerOptions().setPort(port)
                .setMaxFormAttributeSize(webhookBodyLimit)
                .setMaxFormBufferedBytes(webhookBodyLimit)
                // Relay frames are small JSON texts: a larger one closes the socket with 1009 (too big).
                .setMaxWebSocketFrameSize(MAX_RELAY_MESSAGE_BYTES)
                .setMaxWebSocketMessageSize(MAX_RELAY_MESSAGE_BYTES);
    }
}
