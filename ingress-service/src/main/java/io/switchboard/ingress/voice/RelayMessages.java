package io.switchboard.ingress.voice;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import java.util.function.Consumer;

/**
 * Reassembles a relay socket's messages from its frames: a text or binary frame starts a message, continuation frames
 * extend it, the final frame ends it. In place of Vert.x 5.0.7's own aggregator, which keeps a message that began
 * with an empty fragment in an unwritable buffer: appending the next fragment throws, and every later text frame of
 * the socket is lost without a word, so the call goes silent (found by {@code RelaySocketFuzzTest}). A message
 * growing past {@code maxBytes} is dropped and reported; a continuation frame with no message begun is ignored.
 */
final class RelayMessages implements Handler<WebSocketFrame> {
    private final int maxBytes;
    private final Consumer<Buffer> text;
    private final Consumer<Buffer> binary;
    private final Runnable tooBig;
    private Buffer message;
    private boolean binaryMessage;

    RelayMessages(int maxBytes, Consumer<Buffer> text, Consumer<Buffer> binary, Runnable tooBig) {
        this.maxBytes = maxBytes;
        this.text = text;
        this.binary = binary;
        this.tooBig = tooBig;
    }

    @Override
    public void handle(WebSocketFrame frame) {
        if (frame.isText() || frame.isBinary()) {
            message = Buffer.buffer();
            binaryMessage = frame.isBinary();
        } else if (!frame.isContinuation() || message == null) {
            return; // ping, pong and close are Vert.x's to answer
        }
        message.appendBuffer(frame.binaryData());
        if (message.length() > maxBytes) {
            message = null;
            tooBig.run();
            return;
        }
        if (frame.isFinal()) {
            Buffer whole = message;
            message = null;
            (binaryMessage ? binary : text).accept(whole);
        }
    }
}
