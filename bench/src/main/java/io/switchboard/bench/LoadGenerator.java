package io.switchboard.bench;

import io.switchboard.localtwilio.TwilioSignatures;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drives a Switchboard ingress (or the floor) the way Twilio does, over real loopback HTTP and WebSockets:
 * ConversationRelay calls with a signed upgrade, {@code setup}, then a final {@code prompt} every interval (the
 * first at a random phase, so prompts spread evenly), and Conversation Orchestrator {@code COMMUNICATION_CREATED}
 * webhooks, signed with {@code bodySHA256}, at a fixed rate (open loop: a slow answer does not slow the sender,
 * up to {@link #MAX_IN_FLIGHT} unanswered webhooks; beyond that a send is skipped and counted as an error).
 *
 * <p>Every prompt and message carries an id ({@code bp…}, {@code bm…}) that the echo returns; a voice reply is
 * matched by the id in its joined tokens, a messaging reply by the id in the request at the reply sink.
 */
final class LoadGenerator {
    static final int MAX_IN_FLIGHT = 4096;
    private static final Pattern PROMPT_ID = Pattern.compile("bp\\d+x\\d+x\\d+");

    private final Vertx vertx;
    private final String host;
    private final int port;
    private final String authToken;
    private final String nonce = Long.toString(System.currentTimeMillis() % 1_000_000_000L);

    LoadGenerator(Vertx vertx, String host, int port, String authToken) {
        this.vertx = vertx;
        this.host = host;
        this.port = port;
        this.authToken = authToken;
    }

    /** The outcome of one run. */
    record Result(Outcomes.Summary voice, Outcomes.Summary messaging, double acceptedPerSecond, long connectFailures,
                  long sinkOtherRequests, String backlog) {
    }

    Result run(Load load, ReplySink sink) throws InterruptedException {
        return run(load, sink, () -> "", Window.NONE);
    }

    /** Told when the measured part of a run (after the warmup, up to the end of sending) opens and closes. */
    interface Window {
        Window NONE = new Window() {
        };

        default void opened() {
        }

        default void closed() {
        }
    }

    /**
     * {@code backlog} is asked when the load stops, before the last replies are awaited; {@code window} is told
     * when the part of the run the latency figures cover begins and ends (sending stops; the drain is outside it).
     */
    Result run(Load load, ReplySink sink, Supplier<String> backlog, Window window) throws InterruptedException {
        Outcomes voice = new Outcomes();
        Outcomes messaging = new Outcomes();
        sink.listener(messaging::replied);
        long sinkOthersBefore = sink.otherRequests.get();
        WebSocketClient sockets = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxConnections(Math.max(load.calls(), 1) + 16).setConnectTimeout(30_000));
        WebClient http = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true)
                .setDefaultHost(host).setDefaultPort(port),
                new PoolOptions().setHttp1MaxSize(128));
        // the calls are connected and set up before the clock starts
        List<Call> calls = new ArrayList<>();
        AtomicLong connectFailures = new AtomicLong();
        List<Future<Void>> connected = new ArrayList<>();
        for (int i = 0; i < load.calls(); i++) {
            Call call = new Call(i, voice, load.interval().toNanos());
            calls.add(call);
            connected.add(call.connect(sockets).onFailure(e -> connectFailures.incrementAndGet()));
        }
        try {
            Future.join(connected).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // counted per call
        }
        long start = System.nanoTime();
        long measureFrom = start + load.warmup().toNanos();
        long end = start + load.duration().toNanos();
        for (Call call : calls) {
            call.begin(measureFrom, end);
        }
        Messaging sender = new Messaging(http, messaging, load, start, measureFrom, end);
        long timer = vertx.setPeriodic(1, id -> sender.tick());

        TimeUnit.NANOSECONDS.sleep(Math.max(0, measureFrom - System.nanoTime()));
        window.opened();
        TimeUnit.NANOSECONDS.sleep(Math.max(0, end - System.nanoTime()));
        window.closed();
        vertx.cancelTimer(timer);
        long sendingNanos = Math.max(1, end - start);
        String backlogAtEnd = backlog.get();
        // let the last replies in, up to the drain time
        long drainUntil = System.nanoTime() + load.drain().toNanos();
        while (System.nanoTime() < drainUntil && (sender.inFlight.get() > 0 || missing(voice) || missing(messaging))) {
            Thread.sleep(50);
        }
        for (Call call : calls) {
            call.close();
        }
        sockets.close();
        http.close();
        Outcomes.Summary m = messaging.summarize();
        return new Result(voice.summarize(), m, m.accepted() / (sendingNanos / 1e9), connectFailures.get(),
                sink.otherRequests.get() - sinkOthersBefore, backlogAtEnd);
    }

    private static boolean missing(Outcomes outcomes) {
        Outcomes.Summary s = outcomes.summarize();
        return s.lost() > 0;
    }

    /** One relay call: its socket and its one outstanding prompt. */
    private final class Call {
        private final int index;
        private final Outcomes outcomes;
        private final long intervalNs;
        private final String callSid;
        private io.vertx.core.Context context;
        private long measureFrom;
        private long end;
        private final StringBuilder text = new StringBuilder();
        private volatile WebSocket socket;
        private String outstanding;
        private int prompts;
        private long timer = -1;

        Call(int index, Outcomes outcomes, long intervalNs) {
            this.index = index;
            this.outcomes = outcomes;
            this.intervalNs = intervalNs;
            this.callSid = String.format("CA%s%021d", String.format("%011d", Long.parseLong(nonce)), index);
        }

        Future<Void> connect(WebSocketClient client) {
            String path = "/ws";
            String signature = TwilioSignatures.sign(authToken, "ws://" + host + ":" + port + path, Map.of());
            WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(host).setPort(port).setURI(path)
                    .addHeader("X-Twilio-Signature", signature);
            return client.connect(options).compose(ws -> {
                socket = ws;
                context = vertx.getOrCreateContext();
                ws.textMessageHandler(this::frame);
                return ws.writeTextMessage(setup().encode());
            });
        }

        /** Prompts from a random phase within the first interval, then every interval, until {@code end}. */
        void begin(long measureFrom, long end) {
            if (socket == null) {
                return;
            }
            this.measureFrom = measureFrom;
            this.end = end;
            long intervalMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(intervalNs));
            long phase = 1 + ThreadLocalRandom.current().nextLong(intervalMs);
            context.runOnContext(v -> timer = vertx.setTimer(phase, t -> {
                prompt();
                timer = vertx.setPeriodic(intervalMs, p -> prompt());
            }));
        }

        private JsonObject setup() {
            return new JsonObject().put("type", "setup").put("sessionId", "VX" + callSid.substring(2))
                    .put("accountSid", TwilioWebhooks.ACCOUNT_SID).put("callSid", callSid).put("parentCallSid", "")
                    .put("from", String.format(java.util.Locale.ROOT, "+1556%07d", index))
                    .put("to", TwilioWebhooks.AGENT_NUMBER)
                    .put("forwardedFrom", "").put("callerName", "").put("direction", "inbound")
                    .put("callType", "PSTN").put("callStatus", "RINGING").put("customParameters", new JsonObject());
        }

        private void prompt() {
            long now = System.nanoTime();
            if (now >= end) {
                vertx.cancelTimer(timer);
                return;
            }
            String id = "bp" + nonce + "x" + index + "x" + prompts++;
            outstanding = id;
            text.setLength(0);
            outcomes.sent(id, now, now >= measureFrom).acceptedNs = now;
            socket.writeTextMessage(new JsonObject().put("type", "prompt").put("voicePrompt", "bench says " + id)
                    .put("lang", "en-US").put("last", true).encode())
                    .onFailure(e -> outcomes.errors.incrementAndGet());
        }

        private void frame(String raw) {
            long at = System.nanoTime();
            JsonObject frame = new JsonObject(raw);
            if (!"text".equals(frame.getString("type"))) {
                return;
            }
            if (outstanding != null) {
                outcomes.token(outstanding, at);
            }
            text.append(frame.getString("token", ""));
            if (frame.getBoolean("last", false)) {
                Matcher m = PROMPT_ID.matcher(text);
                if (m.find()) {
                    outcomes.replied(m.group(), at);
                } else {
                    outcomes.unknownReplies.incrementAndGet();
                }
                text.setLength(0);
                outstanding = null;
            }
        }

        void close() {
            WebSocket ws = socket;
            if (ws != null && !ws.isClosed()) {
                ws.close((short) 1000, "call ended");
            }
        }
    }

    /** Open-loop webhook sender, ticked every millisecond on the event loop. */
    private final class Messaging {
        private final WebClient http;
        private final Outcomes outcomes;
        private final Load load;
        private final long start;
        private final long measureFrom;
        private final long end;
        private final AtomicInteger inFlight = new AtomicInteger();
        private long sent;

        Messaging(WebClient http, Outcomes outcomes, Load load, long start, long measureFrom, long end) {
            this.http = http;
            this.outcomes = outcomes;
            this.load = load;
            this.start = start;
            this.measureFrom = measureFrom;
            this.end = end;
        }

        void tick() {
            long now = System.nanoTime();
            if (now >= end || load.webhooksPerSecond() <= 0) {
                return;
            }
            long due = (now - start) * load.webhooksPerSecond() / 1_000_000_000L;
            while (sent < due) {
                long seq = sent++;
                if (inFlight.get() >= MAX_IN_FLIGHT) {
                    outcomes.errors.incrementAndGet();
                    continue;
                }
                send(seq, now);
            }
        }

        private void send(long seq, long now) {
            String id = "bm" + nonce + "x" + seq;
            long index = seq % Math.max(1, load.conversations());
            String conversation = "conv_bench_" + nonce + "_" + index;
            // one customer per conversation, as in real traffic (memory is kept per customer)
            String body = TwilioWebhooks.communicationCreated("SMS", conversation, "comms_" + id,
                    String.format(java.util.Locale.ROOT, "+1555%07d", index), "bench says " + id);
            String path = TwilioSignatures.withBodyHash("/webhook", body);
            String signature = TwilioSignatures.signJson(authToken, "http://" + host + ":" + port + path);
            Outcomes.Entry entry = outcomes.sent(id, now, now >= measureFrom);
            inFlight.incrementAndGet();
            Future<?> response = http.post(path).putHeader("Content-Type", "application/json")
                    .putHeader("X-Twilio-Signature", signature).sendBuffer(Buffer.buffer(body))
                    .onSuccess(r -> {
                        if (r.statusCode() / 100 == 2) {
                            entry.acceptedNs = System.nanoTime();
                        } else {
                            outcomes.errors.incrementAndGet();
                        }
                    })
                    .onFailure(e -> outcomes.errors.incrementAndGet());
            response.onComplete(ar -> inFlight.decrementAndGet());
        }
    }
}
