package io.switchboard.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A fake of Twilio's REST APIs: a real HTTP server on loopback (port 0) for tests and for `dev` without credentials.
 * Point a Twilio client at {@link #baseUrl()} (Switchboard: {@code TWILIO_API_BASE_URL}); every Twilio host
 * (conversations, api, studio) is served from that one base, told apart by path.
 *
 * <p>It answers, like Twilio:
 * <ul>
 *   <li>Conversation Orchestrator v2: {@code POST /v2/Conversations/{id}/Actions} → 202 action JSON;
 *       {@code GET|POST /v2/Conversations/{id}/Participants}; {@code POST /v2/Conversations} → 201 (or 409 with
 *       {@code X-Conflicting-Resource-Id}, see {@link #conflictOnNextCreate}); {@code GET /v2/Conversations?channelId=&status=};
 *       {@code PUT /v2/Conversations/{id}} and {@code PUT .../Participants/{pid}}; {@code GET /v2/ControlPlane/Configurations/{id}}
 *       (seeded with {@link #addConfiguration}, else 404).</li>
 *   <li>Conversations v1: {@code POST /v1/Conversations/{sid}/Messages} and
 *       {@code POST /v1/Services/{IS}/Conversations/{sid}/Messages} → 201 message JSON the Twilio Java SDK parses.</li>
 *   <li>Calls: {@code POST /2010-04-01/Accounts/{AC}/Calls.json} → 201; Studio: {@code POST /v2/Flows/{FW}/Executions} → 201.</li>
 *   <li>Conversation Memory profiles: {@code POST /v1/Stores/{store}/Profiles/Lookup {idType, value}} → 200
 *       {@code {normalizedValue, profiles: [ids]}} (empty when none holds the identifier);
 *       {@code POST /v1/Stores/{store}/Profiles {traits}} → 202 {@code {id}} (identity resolution: a profile holding
 *       the same phone is returned, else a new one); see {@link #addProfile}, {@link #profiles}.</li>
 *   <li>Conversation Memory: {@code POST /v1/Stores/{store}/Profiles/{id}/Observations} → 201 {@code {id, content, …}};
 *       {@code POST /v1/Stores/{store}/Profiles/{id}/ConversationSummaries} → 202 {@code {message}}.</li>
 *   <li>Messaging v2 typing indicator: {@code POST /v2/Indicators/Typing.json} ({@code channel=whatsapp},
 *       {@code messageId}) → 200 {@code {"success": true}}, 400 without them.</li>
 * </ul>
 * Every request is recorded ({@link #requests()}, {@link #awaitRequests}); scripted answers override the defaults
 * ({@link #respondNext}, {@link #respondAlways}), e.g. {@code respondNext("/Actions$", Reply.tooManyRequests(1))};
 * {@link #stopListening} / {@link #listenAgain} make Twilio unreachable (connection refused) for a while.
 *
 * <pre>{@code
 * try (FakeTwilioApi twilio = FakeTwilioApi.start()) {
 *     twilio.respondNext("/Messages$", Reply.twilioError(400, 21211, "Invalid 'To' Phone Number"));
 *     ... // run the code under test with TWILIO_API_BASE_URL=twilio.baseUrl()
 *     List<Recorded> calls = twilio.awaitRequests(r -> r.path().endsWith("/Actions"), 1, Duration.ofSeconds(10));
 * }
 * }</pre>
 */
public final class FakeTwilioApi implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ACTIONS = Pattern.compile("^/v2/Conversations/([^/]+)/Actions$");
    private static final Pattern PARTICIPANTS = Pattern.compile("^/v2/Conversations/([^/]+)/Participants$");
    private static final Pattern PARTICIPANT = Pattern.compile("^/v2/Conversations/([^/]+)/Participants/([^/]+)$");
    private static final Pattern CONVERSATION = Pattern.compile("^/v2/Conversations/([^/]+)$");
    private static final Pattern CONVERSATIONS = Pattern.compile("^/v2/Conversations$");
    private static final Pattern CONFIGURATION = Pattern.compile("^/v2/ControlPlane/Configurations/([^/]+)$");
    private static final Pattern V1_MESSAGES =
            Pattern.compile("^/v1/(?:Services/([^/]+)/)?Conversations/([^/]+)/Messages$");
    private static final Pattern CALLS = Pattern.compile("^/2010-04-01/Accounts/([^/]+)/Calls\\.json$");
    private static final Pattern STUDIO = Pattern.compile("^/v2/Flows/([^/]+)/Executions$");
    private static final Pattern MEMORY_OBSERVATIONS = Pattern.compile("^/v1/Stores/([^/]+)/Profiles/([^/]+)/Observations$");
    private static final Pattern MEMORY_PROFILES = Pattern.compile("^/v1/Stores/([^/]+)/Profiles$");
    private static final Pattern MEMORY_LOOKUP = Pattern.compile("^/v1/Stores/([^/]+)/Profiles/Lookup$");
    private static final Pattern MEMORY_SUMMARIES =
            Pattern.compile("^/v1/Stores/([^/]+)/Profiles/([^/]+)/ConversationSummaries$");

    private final Vertx vertx;
    private final boolean ownVertx;
    private volatile HttpServer server;
    private final int port;
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final Deque<Rule> nextRules = new ConcurrentLinkedDeque<>();
    private final List<Rule> alwaysRules = new CopyOnWriteArrayList<>();
    private final Map<String, List<ObjectNode>> participants = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> conversations = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> configurations = new ConcurrentHashMap<>();
    /** Memory profiles by store: {@code {id, traits}}, found by Lookup on their phone trait. */
    private final Map<String, List<ObjectNode>> profiles = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    private FakeTwilioApi(Vertx vertx, boolean ownVertx) {
        this.vertx = vertx;
        this.ownVertx = ownVertx;
        try {
            this.server = listen(0);
            this.port = server.actualPort();
        } catch (Exception e) {
            if (ownVertx) {
                vertx.close();
            }
            throw new IllegalStateException("Cannot start the fake Twilio API: " + e, e);
        }
    }

    /** Starts the fake on its own Vert.x instance (closed with it). */
    public static FakeTwilioApi start() {
        return new FakeTwilioApi(Vertx.vertx(), true);
    }

    /** Starts the fake on the given Vert.x instance (left open on close). */
    public static FakeTwilioApi start(Vertx vertx) {
        return new FakeTwilioApi(vertx, false);
    }

    private HttpServer listen(int port) throws Exception {
        return vertx.createHttpServer().requestHandler(this::handle)
                .listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** {@code http://127.0.0.1:<port>}, no trailing slash. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /**
     * Twilio unreachable: the fake stops listening, so every new connection is refused, until {@link #listenAgain}.
     * Requests already being answered finish first (graceful shutdown), so none of them is cut off mid-way: a
     * refused connection is the only failure the client sees.
     */
    public void stopListening() {
        try {
            server.shutdown(5, TimeUnit.SECONDS).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot stop the fake Twilio API: " + e, e);
        }
    }

    /** Listens again on the same port after {@link #stopListening}; recorded requests and rules are kept. */
    public void listenAgain() {
        try {
            server = listen(port);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot listen again on port " + port + ": " + e, e);
        }
    }

    // ---------------------------------------------------------------- recorded requests

    /** One request as it reached the fake. Header names are matched case-insensitively. */
    public record Recorded(Instant at, String method, String path, Map<String, List<String>> query,
                           Map<String, String> headers, String body, int status) {

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public String queryParam(String name) {
            List<String> values = query.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        /** The body parsed as JSON (v2 APIs). */
        public ObjectNode json() {
            try {
                return (ObjectNode) JSON.readTree(body);
            } catch (Exception e) {
                throw new IllegalStateException("Not a JSON body: " + body, e);
            }
        }

        /** The body parsed as a form (v1 and 2010 APIs); the first value of each field. */
        public Map<String, String> form() {
            Map<String, String> form = new LinkedHashMap<>();
            parseQuery(body).forEach((k, v) -> form.put(k, v.get(0)));
            return form;
        }

        /** The user name of a Basic Authorization header (account SID or API key), or null. */
        public String basicAuthUser() {
            String[] credentials = basicAuth();
            return credentials == null ? null : credentials[0];
        }

        /** The password of a Basic Authorization header (auth token or API secret), or null. */
        public String basicAuthPassword() {
            String[] credentials = basicAuth();
            return credentials == null ? null : credentials[1];
        }

        private String[] basicAuth() {
            String authorization = header("Authorization");
            if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
                return null;
            }
            String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                    StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? new String[] {decoded, ""} : new String[] {decoded.substring(0, colon),
                    decoded.substring(colon + 1)};
        }
    }

    /** Every request so far, in arrival order. */
    public List<Recorded> requests() {
        return List.copyOf(requests);
    }

    /** The requests whose path matches the regular expression (found anywhere in the path). */
    public List<Recorded> requests(String pathRegex) {
        Pattern pattern = Pattern.compile(pathRegex);
        return requests.stream().filter(r -> pattern.matcher(r.path()).find()).toList();
    }

    /** Waits until at least {@code n} requests arrived; returns all of them. */
    public List<Recorded> awaitRequests(int n, Duration timeout) {
        return awaitRequests(r -> true, n, timeout);
    }

    /** Waits until at least {@code n} requests matching {@code filter} arrived; returns the matching ones. */
    public List<Recorded> awaitRequests(Predicate<Recorded> filter, int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Recorded> matching = requests.stream().filter(filter).toList();
            if (matching.size() >= n) {
                return matching;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Expected " + n + " matching request(s) at the fake Twilio API within "
                        + timeout + ", got " + matching.size() + "; all requests: " + describe(requests()));
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted", e);
            }
        }
    }

    /** Forgets the recorded requests and scripted answers (the seeded participants and conversations stay). */
    public void reset() {
        requests.clear();
        nextRules.clear();
        alwaysRules.clear();
    }

    private static String describe(List<Recorded> recorded) {
        return recorded.stream().map(r -> r.method() + " " + r.path() + " → " + r.status())
                .collect(Collectors.joining(", ", "[", "]"));
    }

    // ---------------------------------------------------------------- scripted answers

    /**
     * A scripted answer. A null body means the default answer for the path (useful with {@link #delayed}); a
     * non-null body is sent as is, as JSON.
     */
    public record Reply(int status, Map<String, String> headers, String body, Duration delay) {

        public static Reply status(int status) {
            return new Reply(status, Map.of(), "{}", Duration.ZERO);
        }

        /** 429 with {@code Retry-After: seconds} and Twilio's error 20429. */
        public static Reply tooManyRequests(int retryAfterSeconds) {
            return twilioError(429, 20429, "Too Many Requests")
                    .withHeader("Retry-After", Integer.toString(retryAfterSeconds));
        }

        /** 500 with Twilio's error JSON. */
        public static Reply serverError() {
            return twilioError(500, 20500, "Internal Server Error");
        }

        /** Twilio's error JSON: {@code {code, message, more_info, status}}. */
        public static Reply twilioError(int status, int code, String message) {
            ObjectNode error = JSON.createObjectNode().put("code", code).put("message", message)
                    .put("more_info", "https://www.twilio.com/docs/errors/" + code).put("status", status);
            return new Reply(status, Map.of(), error.toString(), Duration.ZERO);
        }

        /** The normal answer for the path, after a delay (a slow Twilio). */
        public static Reply delayed(Duration delay) {
            return new Reply(0, Map.of(), null, delay);
        }

        public Reply withHeader(String name, String value) {
            Map<String, String> copy = new LinkedHashMap<>(headers);
            copy.put(name, value);
            return new Reply(status, copy, body, delay);
        }

        public Reply after(Duration delay) {
            return new Reply(status, headers, body, delay);
        }
    }

    private record Rule(Pattern path, Reply reply) {
    }

    /** The next request whose path matches {@code pathRegex} (found anywhere in the path) gets {@code reply}. Rules queue in order. */
    public FakeTwilioApi respondNext(String pathRegex, Reply reply) {
        nextRules.add(new Rule(Pattern.compile(pathRegex), reply));
        return this;
    }

    /** Every request whose path matches gets {@code reply} (after the one-shot rules), until {@link #reset()}. */
    public FakeTwilioApi respondAlways(String pathRegex, Reply reply) {
        alwaysRules.add(new Rule(Pattern.compile(pathRegex), reply));
        return this;
    }

    /** The next {@code POST /v2/Conversations} answers 409 pointing at {@code existingConversationId}. */
    public FakeTwilioApi conflictOnNextCreate(String existingConversationId) {
        return respondNext("^/v2/Conversations$", Reply.twilioError(409, 50409, "Conflict")
                .withHeader("X-Conflicting-Resource-Id", existingConversationId));
    }

    // ---------------------------------------------------------------- seeded state

    /** Adds a participant ({@code CUSTOMER}, {@code AI_AGENT}, ...) to a conversation; returns its id. */
    public String addParticipant(String conversationId, String type, String channel, String address) {
        String id = "conv_participant_" + nextId();
        ObjectNode participant = participant(conversationId, id, type);
        ((ArrayNode) participant.withArray("addresses")).addObject().put("channel", channel).put("address", address);
        participants.computeIfAbsent(conversationId, k -> new CopyOnWriteArrayList<>()).add(participant);
        return id;
    }

    /** The participants of a conversation, as the API would list them. */
    public List<ObjectNode> participants(String conversationId) {
        return List.copyOf(participants.getOrDefault(conversationId, List.of()));
    }

    /** Registers a conversation that {@code GET /v2/Conversations?channelId=} finds. */
    public void addConversation(String conversationId, String channelId, String status) {
        ObjectNode conversation = conversation(conversationId, status);
        conversation.put("channelId", channelId);
        conversations.put(conversationId, conversation);
    }

    /**
     * Registers an Orchestrator configuration that {@code GET /v2/ControlPlane/Configurations/{id}} returns, with
     * {@code memoryStoreId} (null: a configuration without a Memory store). Unknown ids answer 404, as Twilio does.
     */
    public void addConfiguration(String configurationId, String memoryStoreId) {
        ObjectNode configuration = JSON.createObjectNode().put("id", configurationId)
                .put("displayName", "switchboard-test").put("version", 1);
        if (memoryStoreId != null) {
            configuration.put("memoryStoreId", memoryStoreId);
        }
        configuration.putArray("statusCallbacks");
        configuration.putArray("intelligenceConfigurationIds");
        String now = Instant.now().toString();
        configuration.put("createdAt", now).put("updatedAt", now);
        configurations.put(configurationId, configuration);
    }

    /** Seeds a Memory profile of {@code store} whose {@code Contact.phone} trait is {@code phone}; returns its id. */
    public String addProfile(String store, String phone) {
        ObjectNode profile = JSON.createObjectNode().put("id", "mem_profile_" + nextId());
        profile.putObject("traits").putObject("Contact").put("phone", phone);
        profiles.computeIfAbsent(store, k -> new CopyOnWriteArrayList<>()).add(profile);
        return profile.path("id").asText();
    }

    /** The Memory profiles of {@code store} ({@code {id, traits}}), seeded or created through the API. */
    public List<ObjectNode> profiles(String store) {
        return List.copyOf(profiles.getOrDefault(store, List.of()));
    }

    /** Phone identifiers as Memory normalises them: {@code +} and the digits. */
    private static String normalizePhone(String value) {
        String digits = value == null ? "" : value.replaceAll("[^0-9]", "");
        return digits.isEmpty() ? "" : "+" + digits;
    }

    /** Whether a profile holds {@code phone} in any trait (a phone trait is promoted to the phone identifier). */
    private static boolean holdsPhone(ObjectNode profile, String phone) {
        for (var group : profile.path("traits")) {
            for (var value : group) {
                if (value.isTextual() && !phone.isEmpty() && normalizePhone(value.asText()).equals(phone)) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- serving

    private void handle(HttpServerRequest request) {
        request.body().onComplete(ar -> {
            String body = ar.succeeded() ? ar.result().toString(StandardCharsets.UTF_8) : "";
            String path = request.path();
            Reply scripted = take(path);
            Answer answer;
            try {
                answer = scripted != null && scripted.body() != null
                        ? new Answer(scripted.status(), scripted.headers(), scripted.body())
                        : defaultAnswer(request.method().name(), path, request.params(), body);
            } catch (Exception e) {
                answer = new Answer(400, Map.of(), Reply.twilioError(400, 20001, "Bad request: " + e.getMessage()).body());
            }
            requests.add(new Recorded(Instant.now(), request.method().name(), path, parseQuery(request.query()),
                    headers(request.headers()), body, answer.status()));
            Answer finalAnswer = answer;
            long delay = scripted == null ? 0 : scripted.delay().toMillis();
            if (delay > 0) {
                vertx.setTimer(delay, t -> write(request, finalAnswer));
            } else {
                write(request, finalAnswer);
            }
        });
    }

    private Reply take(String path) {
        for (Rule rule : nextRules) {
            if (rule.path().matcher(path).find() && nextRules.remove(rule)) {
                return rule.reply();
            }
        }
        for (Rule rule : alwaysRules) {
            if (rule.path().matcher(path).find()) {
                return rule.reply();
            }
        }
        return null;
    }

    private static void write(HttpServerRequest request, Answer answer) {
        var response = request.response().setStatusCode(answer.status());
        response.putHeader("Content-Type", "application/json");
        answer.headers().forEach(response::putHeader);
        response.end(Buffer.buffer(answer.body()));
    }

    private record Answer(int status, Map<String, String> headers, String body) {
    }

    private Answer defaultAnswer(String method, String path, MultiMap params, String body) throws Exception {
        Matcher m;
        if ((m = ACTIONS.matcher(path)).matches() && method.equals("POST")) {
            ObjectNode request = (ObjectNode) JSON.readTree(body);
            ObjectNode action = JSON.createObjectNode().put("id", "conv_action_" + nextId())
                    .put("type", request.path("type").asText("SEND_MESSAGE")).put("status", "QUEUED")
                    .put("conversationId", m.group(1)).put("createdAt", Instant.now().toString());
            return json(202, action);
        }
        if ((m = PARTICIPANTS.matcher(path)).matches()) {
            String conversationId = m.group(1);
            if (method.equals("GET")) {
                ObjectNode list = JSON.createObjectNode();
                list.putArray("participants").addAll(participants(conversationId));
                list.putObject("meta").put("pageSize", 50);
                return json(200, list);
            }
            ObjectNode request = (ObjectNode) JSON.readTree(body);
            ObjectNode participant = participant(conversationId, "conv_participant_" + nextId(),
                    request.path("type").asText("UNKNOWN"));
            if (request.has("addresses")) {
                participant.set("addresses", request.get("addresses"));
            }
            if (request.has("name")) {
                participant.set("name", request.get("name"));
            }
            participants.computeIfAbsent(conversationId, k -> new CopyOnWriteArrayList<>()).add(participant);
            return json(201, participant);
        }
        if ((m = PARTICIPANT.matcher(path)).matches() && method.equals("PUT")) {
            ObjectNode request = (ObjectNode) JSON.readTree(body);
            for (ObjectNode participant : participants.getOrDefault(m.group(1), List.of())) {
                if (participant.path("id").asText().equals(m.group(2))) {
                    // a full replacement, as Twilio's PUT: what the request leaves out is cleared
                    String id = participant.path("id").asText();
                    String createdAt = participant.path("createdAt").asText();
                    participant.removeAll();
                    participant.put("id", id).put("conversationId", m.group(1));
                    participant.setAll(request);
                    if (!participant.has("addresses")) {
                        participant.putArray("addresses");
                    }
                    participant.put("createdAt", createdAt).put("updatedAt", Instant.now().toString());
                    return json(200, participant);
                }
            }
            return new Answer(404, Map.of(), Reply.twilioError(404, 20404, "Participant not found").body());
        }
        if ((m = CONFIGURATION.matcher(path)).matches() && method.equals("GET")) {
            ObjectNode configuration = configurations.get(m.group(1));
            return configuration == null
                    ? new Answer(404, Map.of(), Reply.twilioError(404, 20404, "Configuration not found").body())
                    : json(200, configuration);
        }
        if (CONVERSATIONS.matcher(path).matches()) {
            if (method.equals("GET")) {
                String channelId = params.get("channelId");
                List<String> statuses = params.getAll("status");
                ObjectNode list = JSON.createObjectNode();
                ArrayNode items = list.putArray("conversations");
                conversations.values().stream()
                        .filter(c -> channelId == null || channelId.equals(c.path("channelId").asText(null)))
                        .filter(c -> statuses.isEmpty() || statuses.contains(c.path("status").asText()))
                        .forEach(items::add);
                list.putObject("meta").put("pageSize", 50);
                return json(200, list);
            }
            ObjectNode request = body.isBlank() ? JSON.createObjectNode() : (ObjectNode) JSON.readTree(body);
            String id = "conv_conversation_" + nextId();
            ObjectNode conversation = conversation(id, "ACTIVE");
            if (request.has("configurationId")) {
                conversation.set("configurationId", request.get("configurationId"));
            }
            conversations.put(id, conversation);
            for (var p : request.withArray("participants")) {
                ObjectNode participant = participant(id, "conv_participant_" + nextId(), p.path("type").asText("UNKNOWN"));
                participant.set("addresses", p.path("addresses"));
                participants.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(participant);
            }
            return json(201, conversation);
        }
        if ((m = CONVERSATION.matcher(path)).matches()) {
            ObjectNode conversation = conversations.computeIfAbsent(m.group(1), id -> conversation(id, "ACTIVE"));
            if (!method.equals("GET") && !body.isBlank()) {
                ObjectNode request = (ObjectNode) JSON.readTree(body);
                if (request.has("status")) {
                    conversation.set("status", request.get("status"));
                }
            }
            return json(200, conversation);
        }
        if ((m = V1_MESSAGES.matcher(path)).matches() && method.equals("POST")) {
            Map<String, List<String>> form = parseQuery(body);
            String now = Instant.now().toString();
            String sid = "IM" + hex32();
            String service = m.group(1) == null ? "IS" + hex32() : m.group(1);
            ObjectNode message = JSON.createObjectNode().put("account_sid", "AC" + hex32())
                    .put("chat_service_sid", service).put("conversation_sid", m.group(2)).put("sid", sid)
                    .put("index", ids.get()).put("author", first(form, "Author")).put("body", first(form, "Body"))
                    .putNull("media").put("attributes", Objects.requireNonNullElse(first(form, "Attributes"), "{}"))
                    .putNull("participant_sid").put("date_created", now).put("date_updated", now)
                    .put("url", "https://conversations.twilio.com/v1/Conversations/" + m.group(2) + "/Messages/" + sid)
                    .putNull("delivery").putNull("content_sid");
            message.putObject("links").put("delivery_receipts",
                    "https://conversations.twilio.com/v1/Conversations/" + m.group(2) + "/Messages/" + sid + "/Receipts");
            return json(201, message);
        }
        if ((m = CALLS.matcher(path)).matches() && method.equals("POST")) {
            Map<String, List<String>> form = parseQuery(body);
            String now = Instant.now().toString();
            ObjectNode call = JSON.createObjectNode().put("sid", "CA" + hex32()).put("account_sid", m.group(1))
                    .put("to", first(form, "To")).put("from", first(form, "From")).put("status", "queued")
                    .put("direction", "outbound-api").put("api_version", "2010-04-01")
                    .put("date_created", now).put("date_updated", now)
                    .put("uri", "/2010-04-01/Accounts/" + m.group(1) + "/Calls.json");
            return json(201, call);
        }
        if ((m = STUDIO.matcher(path)).matches() && method.equals("POST")) {
            String now = Instant.now().toString();
            ObjectNode execution = JSON.createObjectNode().put("sid", "FN" + hex32()).put("account_sid", "AC" + hex32())
                    .put("flow_sid", m.group(1)).put("status", "active").put("date_created", now).put("date_updated", now);
            execution.putObject("context");
            return json(201, execution);
        }
        if ((m = MEMORY_LOOKUP.matcher(path)).matches() && method.equals("POST")) {
            ObjectNode request = (ObjectNode) JSON.readTree(body);
            if (!request.hasNonNull("idType") || !request.hasNonNull("value")) {
                return new Answer(400, Map.of(), Reply.twilioError(400, 20001, "idType and value are required").body());
            }
            String phone = normalizePhone(request.path("value").asText());
            ObjectNode found = JSON.createObjectNode().put("normalizedValue", phone);
            ArrayNode ids = found.putArray("profiles");
            if ("phone".equals(request.path("idType").asText())) {
                profiles.getOrDefault(m.group(1), List.of()).stream().filter(p -> holdsPhone(p, phone))
                        .forEach(p -> ids.add(p.path("id").asText()));
            }
            return json(200, found);
        }
        if ((m = MEMORY_PROFILES.matcher(path)).matches() && method.equals("POST")) {
            ObjectNode request = (ObjectNode) JSON.readTree(body);
            if (!request.path("traits").isObject() || request.path("traits").isEmpty()) {
                return new Answer(400, Map.of(), Reply.twilioError(400, 20001, "traits with an identifier are required").body());
            }
            List<ObjectNode> store = profiles.computeIfAbsent(m.group(1), k -> new CopyOnWriteArrayList<>());
            ObjectNode created = JSON.createObjectNode().put("id", "mem_profile_" + nextId());
            created.set("traits", request.get("traits"));
            for (var group : request.path("traits")) {
                for (var value : group) {
                    String phone = normalizePhone(value.asText());
                    var existing = store.stream().filter(p -> holdsPhone(p, phone)).findFirst();
                    if (existing.isPresent()) {
                        return json(202, JSON.createObjectNode().put("id", existing.get().path("id").asText()));
                    }
                }
            }
            store.add(created);
            return json(202, JSON.createObjectNode().put("id", created.path("id").asText()));
        }
        if (MEMORY_OBSERVATIONS.matcher(path).matches() && method.equals("POST")) {
            ObjectNode observation = ((ObjectNode) JSON.readTree(body)).deepCopy();
            observation.put("id", "mem_observation_" + nextId()).put("createdAt", Instant.now().toString());
            return json(201, observation);
        }
        if (MEMORY_SUMMARIES.matcher(path).matches() && method.equals("POST")) {
            return json(202, JSON.createObjectNode().put("message", "Summaries creation accepted"));
        }
        if (path.equals("/v2/Indicators/Typing.json") && method.equals("POST")) {
            Map<String, List<String>> form = parseQuery(body);
            if (!"whatsapp".equals(first(form, "channel")) || first(form, "messageId") == null) {
                return new Answer(400, Map.of(), Reply.twilioError(400, 20001, "channel must be whatsapp and messageId is required").body());
            }
            return json(200, JSON.createObjectNode().put("success", true));
        }
        return new Answer(404, Map.of(), Reply.twilioError(404, 20404, "The requested resource " + path
                + " was not found").body());
    }

    private static Answer json(int status, ObjectNode body) {
        return new Answer(status, Map.of(), body.toString());
    }

    private static ObjectNode participant(String conversationId, String id, String type) {
        String now = Instant.now().toString();
        ObjectNode participant = JSON.createObjectNode().put("id", id).put("conversationId", conversationId)
                .put("type", type).put("createdAt", now).put("updatedAt", now);
        participant.putArray("addresses");
        return participant;
    }

    private static ObjectNode conversation(String id, String status) {
        String now = Instant.now().toString();
        return JSON.createObjectNode().put("id", id).put("status", status).put("createdAt", now).put("updatedAt", now);
    }

    private String nextId() {
        return String.format("%026d", ids.incrementAndGet());
    }

    private String hex32() {
        return String.format("%032x", ids.incrementAndGet());
    }

    private static String first(Map<String, List<String>> form, String name) {
        List<String> values = form.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static Map<String, String> headers(MultiMap headers) {
        Map<String, String> out = new TreeMap<>();
        headers.forEach(e -> out.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
        return Collections.unmodifiableMap(out);
    }

    static Map<String, List<String>> parseQuery(String query) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return out;
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    @Override
    public void close() {
        try {
            server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // closing anyway
        } finally {
            if (ownVertx) {
                vertx.close();
            }
        }
    }
}
