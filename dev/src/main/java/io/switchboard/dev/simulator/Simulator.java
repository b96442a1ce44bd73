package io.switchboard.dev.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.config.KafkaSettings;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.service.ManagedService;
import io.switchboard.tracing.RecentSpans;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The browser simulator of {@code dev}: serves the page at {@code /} of the operator listener (never the public port)
 * and, for each open page, plays the customer and
 * Twilio on the real path — signed webhooks to {@code /webhook}, a signed ConversationRelay socket to the ingress —
 * and shows what comes back: messaging replies as the agent's requests reach the local fake Twilio API, voice
 * tokens as the ingress writes them to the relay socket, and the conversation's events as they pass each topic.
 * Page ↔ simulator speak JSON over the WebSocket {@code /simulator/socket} (see {@code app.js}).
 */
public final class Simulator implements ManagedService, Consumer<Router> {
    private static final Logger log = LoggerFactory.getLogger(Simulator.class);
    static final String SOCKET_PATH = "/simulator/socket";
    /** The last turn's spans of a conversation, for the side panel: {@code GET /simulator/trace?conversationId=}. */
    static final String TRACE_PATH = "/simulator/trace";
    private static final String WEB = "io/switchboard/dev/simulator/web/";
    private static final Map<String, String> FILES = Map.of(
            "/", "index.html", "/simulator/app.js", "app.js", "/simulator/style.css", "style.css");
    private static final Pattern V1_MESSAGES =
            Pattern.compile("^/v1/(?:Services/[^/]+/)?Conversations/([^/]+)/Messages$");
    private static final Pattern V2_ACTIONS = Pattern.compile("^/v2/Conversations/([^/]+)/Actions$");
    private static final long TWILIO_POLL_MS = 100;

    private final Vertx vertx;
    private final FakeTwilioApi twilio;
    private final TwilioSide twilioSide;
    private final PipelineTap tap;
    private final Map<String, byte[]> files;
    private final Set<PageSession> pages = ConcurrentHashMap.newKeySet();
    private final Map<String, PageSession> byConversation = new ConcurrentHashMap<>();
    /** The ingress's public port: the page lives on the operator listener, Twilio's side talks to the public one. */
    private final int publicPort;
    private final TraceView traces;
    private long twilioTimer = -1;
    private int seenRequests;

    /** {@code twilio}: dev's local fake Twilio API, or null when a real account is configured (replies go there). */
    public Simulator(Map<String, String> env, Vertx vertx, FakeTwilioApi twilio) {
        this(env, vertx, twilio, null);
    }

    /** {@code spans}: dev's in-process spans, shown per turn in the side panel (null: no trace panel). */
    public Simulator(Map<String, String> env, Vertx vertx, FakeTwilioApi twilio, RecentSpans spans) {
        this.traces = spans == null ? null : new TraceView(spans);
        this.vertx = vertx;
        this.twilio = twilio;
        this.twilioSide = new TwilioSide(vertx, env);
        this.publicPort = Integer.parseInt(env.getOrDefault("PORT", "8080").trim());
        this.tap = new PipelineTap(KafkaSettings.fromEnv(env), this::onEvent);
        this.files = load();
    }

    @Override
    public String name() {
        return "simulator";
    }

    @Override
    public void accept(Router router) {
        FILES.forEach((path, file) -> router.get(path).handler(ctx -> ctx.response()
                .putHeader("Content-Type", contentType(file)).putHeader("Cache-Control", "no-cache")
                .end(Buffer.buffer(files.get(file)))));
        router.get(TRACE_PATH).handler(ctx -> {
            String conversationId = ctx.request().getParam("conversationId");
            if (traces == null || conversationId == null || conversationId.isBlank()) {
                ctx.response().setStatusCode(traces == null ? 404 : 400).end();
                return;
            }
            ctx.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-cache")
                    .end(traces.lastTurn(conversationId).encode());
        });
        router.get(SOCKET_PATH).handler(ctx -> {
            ctx.request().toWebSocket().onSuccess(socket -> open(socket, publicPort))
                    .onFailure(e -> log.warn("Simulator page socket refused: {}", e.toString()));
        });
    }

    @Override
    public synchronized void start() {
        tap.start();
        if (twilio != null) {
            twilioTimer = vertx.setPeriodic(TWILIO_POLL_MS, id -> pollTwilio());
        }
        log.info("Simulator ready: open the operator listener's / in a browser{}",
                twilio == null ? " (a Twilio account is configured: messaging replies go to Twilio, not the page)" : "");
    }

    private void open(ServerWebSocket socket, int ingressPort) {
        PageSession page = new PageSession(socket, twilioSide, ingressPort, this::track);
        pages.add(page);
        socket.textMessageHandler(text -> {
            try {
                page.handle(new JsonObject(text));
            } catch (RuntimeException e) {
                page.push(new JsonObject().put("type", "error").put("text", "Bad action: " + e.getMessage()));
            }
        });
        socket.closeHandler(v -> {
            pages.remove(page);
            page.close();
            byConversation.values().removeIf(p -> p == page);
        });
        page.push(new JsonObject().put("type", "hello").put("fakeTwilio", twilio != null)
                .put("agentNumber", twilioSide.agentNumber()));
    }

    private void track(String conversationId, PageSession page) {
        byConversation.put(conversationId, page);
    }

    /** An event passed a topic: show it on the page that drives its conversation. */
    private void onEvent(String conversationId, JsonObject event) {
        PageSession page = byConversation.get(conversationId);
        if (page != null) {
            page.push(event);
        }
    }

    /** New requests at the fake Twilio API: a message the agent sent becomes a reply on the page. */
    private void pollTwilio() {
        List<FakeTwilioApi.Recorded> requests = twilio.requests();
        for (int i = seenRequests; i < requests.size(); i++) {
            FakeTwilioApi.Recorded request = requests.get(i);
            agentMessage(request).ifPresent(reply -> {
                PageSession page = byConversation.get(reply.conversationId());
                if (page != null) {
                    page.push(new JsonObject().put("type", "reply").put("conversationId", reply.conversationId())
                            .put("text", reply.text()).put("via", request.method() + " " + request.path())
                            .put("status", request.status()));
                }
            });
        }
        seenRequests = requests.size();
    }

    record AgentMessage(String conversationId, String text) {
    }

    static Optional<AgentMessage> agentMessage(FakeTwilioApi.Recorded request) {
        if (!"POST".equals(request.method())) {
            return Optional.empty();
        }
        Matcher v1 = V1_MESSAGES.matcher(request.path());
        if (v1.matches()) {
            String body = request.form().get("Body");
            return body == null ? Optional.empty() : Optional.of(new AgentMessage(v1.group(1), body));
        }
        Matcher v2 = V2_ACTIONS.matcher(request.path());
        if (v2.matches()) {
            try {
                JsonNode text = request.json().findValue("text");
                return text == null || !text.isTextual() ? Optional.empty()
                        : Optional.of(new AgentMessage(v2.group(1), text.asText()));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    @Override
    public synchronized void close() {
        if (twilioTimer >= 0) {
            vertx.cancelTimer(twilioTimer);
            twilioTimer = -1;
        }
        pages.forEach(PageSession::close);
        pages.clear();
        tap.close();
        twilioSide.close();
    }

    private static Map<String, byte[]> load() {
        Map<String, byte[]> loaded = new ConcurrentHashMap<>();
        for (String file : FILES.values()) {
            try (InputStream in = Simulator.class.getClassLoader().getResourceAsStream(WEB + file)) {
                if (in == null) {
                    throw new IllegalStateException("The simulator page is missing from the jar: " + WEB + file);
                }
                loaded.put(file, in.readAllBytes());
            } catch (IOException e) {
                throw new IllegalStateException("Cannot read " + WEB + file, e);
            }
        }
        return loaded;
    }

    private static String contentType(String file) {
        if (file.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (file.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        return "text/html; charset=utf-8";
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
