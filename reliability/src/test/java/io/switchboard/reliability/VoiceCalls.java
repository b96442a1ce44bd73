package io.switchboard.reliability;

import io.switchboard.testkit.RelayClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Steady ConversationRelay calls through an ingress, as Twilio places them: each line is a thread holding one call
 * (a signed {@code /ws} upgrade, {@code setup}, then a final {@code prompt} with a unique numbered text every
 * {@code pause}, without waiting for the answer). When ingress closes a call's socket (it was killed: Twilio would hang
 * up), the line dials a new call once ingress accepts sockets again.
 *
 * <p>"Call still up": a prompt counts against a call whose socket is still open when counted; prompts left unanswered
 * on a socket the fault closed are {@link Counts#dropped} (the call ended), not lost.
 */
final class VoiceCalls implements AutoCloseable {
    /**
     * Per fault window. {@code answered}: prompts whose complete reply (the tokens up to {@code last: true}, joined)
     * echoes them; {@code lost}: unanswered prompts on calls still up; {@code twice}: replies heard more than once;
     * {@code garbled}: complete replies that echo no prompt of their call; {@code disordered}: calls whose replies came
     * in another order than their prompts; {@code dropped}: unanswered prompts on calls the fault hung up.
     */
    record Counts(int calls, int prompts, int answered, int lost, int twice, int garbled, int disordered, int dropped,
                  int droppedCalls) {
    }

    private record Call(RelayClient client, List<String> prompts) {
    }

    private final Vertx vertx;
    private final int port;
    private final String authToken;
    private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    VoiceCalls(Vertx vertx, int port, String authToken, int lines, Duration pause) {
        this.vertx = vertx;
        this.port = port;
        this.authToken = authToken;
        for (int line = 0; line < lines; line++) {
            int number = line;
            Thread thread = new Thread(() -> {
                try {
                    ring(number, pause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "voice-line-" + line);
            thread.start();
            threads.add(thread);
        }
    }

    private void ring(int line, Duration pause) throws InterruptedException {
        int n = 0;
        while (running.get()) {
            Call call = dial();
            if (call == null) {
                Thread.sleep(200); // ingress down or restarting
                continue;
            }
            while (running.get() && !call.client().isClosed()) {
                String text = "line " + line + " prompt " + n++;
                try {
                    call.client().prompt(text);
                    call.prompts().add(text);
                } catch (IllegalStateException e) {
                    break; // the socket died under the write: never reached ingress
                }
                Thread.sleep(pause.toMillis());
            }
        }
    }

    private Call dial() {
        RelayClient client;
        try {
            client = RelayClient.connect(vertx, port, authToken);
        } catch (RuntimeException e) {
            return null;
        }
        try {
            client.setup("CA" + UUID.randomUUID().toString().replace("-", ""));
        } catch (RuntimeException e) {
            client.close(); // hung up before the call started: no prompt was sent on it
            return null;
        }
        Call call = new Call(client, Collections.synchronizedList(new ArrayList<>()));
        calls.add(call);
        return call;
    }

    /** Stops prompting (calls stay up, so the answers still on their way can arrive). */
    void stopPrompting() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(30_000);
        }
    }

    /** Prompts on calls still up that have no answer yet. */
    int unanswered() {
        return counts().lost();
    }

    Counts counts() {
        int prompts = 0;
        int answered = 0;
        int lost = 0;
        int twice = 0;
        int garbled = 0;
        int disordered = 0;
        int dropped = 0;
        int droppedCalls = 0;
        List<Call> snapshot;
        synchronized (calls) {
            snapshot = List.copyOf(calls);
        }
        for (Call call : snapshot) {
            boolean hungUp = call.client().isClosed();
            List<String> want = List.copyOf(call.prompts()).stream().map(t -> "You said: " + t).toList();
            List<String> heard = replies(call.client());
            LinkedHashSet<String> distinct = new LinkedHashSet<>(heard);
            prompts += want.size();
            twice += heard.size() - distinct.size();
            garbled += (int) distinct.stream().filter(r -> !want.contains(r)).count();
            int got = (int) want.stream().filter(distinct::contains).count();
            answered += got;
            if (hungUp) {
                droppedCalls++;
                dropped += want.size() - got;
            } else {
                lost += want.size() - got;
            }
            List<String> inOrderHeard = distinct.stream().filter(want::contains).toList();
            if (!inOrderHeard.equals(want.stream().filter(distinct::contains).toList())) {
                disordered++;
            }
        }
        return new Counts(snapshot.size(), prompts, answered, lost, twice, garbled, disordered, dropped, droppedCalls);
    }

    /** The complete replies heard on a call: text tokens joined up to each {@code last: true}. */
    static List<String> replies(RelayClient client) {
        List<String> replies = new ArrayList<>();
        StringBuilder reply = new StringBuilder();
        for (JsonObject frame : client.received("text")) {
            reply.append(frame.getString("token", ""));
            if (frame.getBoolean("last", false)) {
                replies.add(reply.toString());
                reply.setLength(0);
            }
        }
        return replies;
    }

    /** Hangs up every call still up (Twilio closes the socket with 1000 when the caller hangs up). */
    @Override
    public void close() throws InterruptedException {
        stopPrompting();
        synchronized (calls) {
            calls.forEach(call -> call.client().close());
        }
    }
}
