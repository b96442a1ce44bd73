package io.switchboard.outbound.messaging;

import com.twilio.exception.ApiConnectionException;
import com.twilio.exception.ApiException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.conversations.v1.conversation.Message;
import io.switchboard.twilio.TwilioApiMetrics;
import io.switchboard.twilio.TwilioCallException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;

/** Classic Conversations v1: {@code Message.creator(sid).setAuthor(..).setBody(..)} through the Twilio Java SDK. */
final class ConversationsV1Sender {
    private final TwilioRestClient client;
    private final TwilioApiMetrics metrics;

    ConversationsV1Sender(TwilioRestClient client, TwilioApiMetrics metrics) {
        this.client = client;
        this.metrics = metrics;
    }

    /** Sends one message; blocking. Returns the message SID. */
    String send(String conversationSid, String author, String body) {
        try {
            Message message = Message.creator(conversationSid).setAuthor(author).setBody(body).create(client);
            count("201");
            return message.getSid();
        } catch (ApiException e) {
            Integer status = e.getStatusCode();
            count(status == null ? "unknown" : status.toString());
            throw TwilioCallException.fromSdk(e);
        } catch (ApiConnectionException e) {
            count("io");
            TwilioCallException.Kind kind = neverSent(e) ? TwilioCallException.Kind.RETRYABLE
                    : TwilioCallException.Kind.AMBIGUOUS;
            throw new TwilioCallException(kind, null, null, e.getMessage(), null, e);
        }
    }

    private static boolean neverSent(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private void count(String status) {
        metrics.v1Call("v1.messages.create", status);
    }
}
