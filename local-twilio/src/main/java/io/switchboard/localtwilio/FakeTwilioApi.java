package io.switchboard.localtwilio;

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
import java.util.Set;
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
 * The local stand-in for Twilio's cloud that {@code dev} (without credentials) and the tests run: Twilio's REST APIs
 * as a real HTTP server on loopback (port 0), answering as Twilio does.
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
 *   <li>Calls: {@code POST /2010-04-01/Accounts/{AC}/Calls.json} → 201 (400 for a call option the spec does not allow:
 *       StatusCallbackEvent, MachineDetection, AsyncAmd, Record, Timeout, callback URLs and methods); Studio: {@code POST /v2/Flows/{FW}/Executions} → 201,
 *       and the flow's voice webhook {@code POST /v1/Accounts/{AC}/Flows/{FW}} (a relay's {@code <Connect action>}) → TwiML,
 *       see {@link #studioVoiceRequests}.</li>
 *   <li>Orchestrated voice: {@link #orchestrateCall} creates a call's conversation (CUSTOMER with a profile, AI_AGENT,
 *       UNKNOWN participants) that the list finds only from the Nth poll or after a delay ({@link Listing}).</li>
 *   <li>Conversation Memory profiles: {@code POST /v1/Stores/{store}/Profiles {traits}} → 202 {@code {id}} (identity
 *       resolution: a profile holding the same phone or e-mail is returned, else a new one); see {@link #addProfile},
 *       {@link #profiles}. A store exists once seeded ({@link #addMemoryProfile}) or named by a configuration
 *       ({@link #addConfiguration}); others answer 404.</li>
 *   <li>Conversation Memory: {@code POST /v1/Stores/{store}/Profiles/{id}/Observations} → 201 {@code {id, content, …}};
 *       {@code POST /v1/Stores/{store}/Profiles/{id}/ConversationSummaries} → 202 {@code {message}}; for the stores
 *       seeded with {@link #addMemoryProfile} (others 404): {@code POST .../Profiles/Lookup {idType, value}} → 200
 *       {@code {normalizedValue, profiles}} ({@code profiles} left out when nothing matches, as Memory does),
 *       {@code POST .../Profiles/{id}/Recall} → 200 {@code {observations, summaries, communications, meta}} within the
 *       request's limits, {@code GET .../Profiles/{id}} → the profile with its traits. {@link #simulateMemoryLatency}
 *       makes these (and the Communications list) as slow as a real round trip to Twilio.</li>
 *   <li>{@code GET /v2/Conversations/{id}/Communications?pageSize=} → 200 {@code {communications, meta}} (seeded with
 *       {@link #addCommunication}; 404 for a conversation it does not know).</li>
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
    /** Studio's voice webhook of a flow: the {@code <Connect action>} when a handoff flow is configured. */
    private static final Pattern STUDIO_VOICE_WEBHOOK = Pattern.compile("^/v1/Accounts/([^/]+)/Flows/([^/]+)$");
    private static final Pattern MEMORY_PROFILES = Pattern.compile("^/v1/Stores/([^/]+)/Profiles$");
    private static final Pattern MEMORY_SUMMARIES =
            Pattern.compile("^/v1/Stores/([^/]+)/Profiles/([^/]+)/ConversationSummaries$");
    private static final Pattern MEMORY_LOOKUP = Pattern.compile("^/v1/Stores/([^/]+)/Profiles/Lookup$");
    private static final Pattern MEMORY_RECALL = Pattern.compile("^/v1/Stores/([^/]+)/Profiles/([^/]+)/Recall$");
    private static final Pattern MEMORY_PROFILE = Pattern.compile("^/v1/Stores/([^/]+)/Profiles/([^/]+)$");
    private static final Pattern COMMUNICATIONS = Pattern.compile("^/v2/Conversations/([^/]+)/Communications$");
    /**
     * Assumed round trips to Twilio (it publishes no latency figures): a Lookup is an index read, a Recall a relevance
     * search over the profile's memories, the Communications list a page read. See {@link #simulateMemoryLatency}.
     */
    public static final Duration MEMORY_LOOKUP_LATENCY = Duration.ofMillis(200);
    public static final Duration MEMORY_RECALL_LATENCY = Duration.ofMillis(700);
    public static final Duration COMMUNICATIONS_LATENCY = Duration.ofMillis(250);

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
    /** Memory store → profile id → {profile, identifiers, observations, summaries, communications}. */
    private final Map<String, Map<String, MemoryProfile>> memoryStores = new ConcurrentHashMap<>();
    private final Map<String, List<ObjectNode>> communications = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    /** Voice conversations created by the Orchestrator for a call ({@link #orchestrateCall}), by conversation id. */
    private final Map<String, VoiceCall> voiceCalls = new ConcurrentHashMap<>();
    /** {@code GET /v2/Conversations?channelId=} requests so far, by channel id. */
    private final Map<String, AtomicLong> listPolls = new ConcurrentHashMap<>();

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

        /** Every value of a form field that may repeat (e.g. StatusCallbackEvent), in order. */
        public List<String> formValues(String name) {
            return parseQuery(body).getOrDefault(name, List.of());
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
     * {@code memoryStoreId} (null: a configuration without a Memory store; a named store comes to exist). Unknown ids
     * answer 404, as Twilio does.
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
        if (memoryStoreId != null) {
            memoryStores.computeIfAbsent(memoryStoreId, k -> new ConcurrentHashMap<>());
        }
    }

    /** A Memory profile as the fake keeps it. */
    private record MemoryProfile(ObjectNode profile, List<String> identifiers, List<ObjectNode> observations,
                                 List<ObjectNode> summaries, List<ObjectNode> communications) {
    }

    /**
     * Creates Memory store {@code storeId} if needed and a profile in it that Lookup finds by {@code phoneOrEmail}
     * (a phone number is matched by its digits, as Memory normalises it).
     */
    public void addMemoryProfile(String storeId, String profileId, String phoneOrEmail) {
        String now = Instant.now().toString();
        ObjectNode profile = JSON.createObjectNode().put("id", profileId).put("createdAt", now);
        ObjectNode contact = profile.putObject("traits").putObject("Contact");
        contact.put(phoneOrEmail.contains("@") ? "email" : "phone", phoneOrEmail);
        memoryStores.computeIfAbsent(storeId, k -> new ConcurrentHashMap<>()).put(profileId, new MemoryProfile(profile,
                new CopyOnWriteArrayList<>(List.of(normalizeIdentifier(phoneOrEmail))), new CopyOnWriteArrayList<>(),
                new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>()));
    }

    /** An observation Recall returns for the profile (seeded with {@link #addMemoryProfile}). */
    public void addMemoryObservation(String storeId, String profileId, String content) {
        String now = Instant.now().toString();
        memoryProfile(storeId, profileId).observations().add(JSON.createObjectNode()
                .put("id", "mem_observation_" + nextId()).put("content", content).put("source", "test")
                .put("createdAt", now).put("updatedAt", now));
    }

    /** A conversation summary Recall returns for the profile. */
    public void addMemorySummary(String storeId, String profileId, String content, String conversationId) {
        memoryProfile(storeId, profileId).summaries().add(JSON.createObjectNode()
                .put("id", "mem_summary_" + nextId()).put("content", content).put("conversationId", conversationId)
                .put("createdAt", Instant.now().toString()));
    }

    /** A past communication Recall returns for the profile; {@code authorType} CUSTOMER, AI_AGENT, ... */
    public void addMemoryCommunication(String storeId, String profileId, String authorType, String channel,
                                       String address, String text) {
        ObjectNode communication = JSON.createObjectNode().put("id", "conv_communication_" + nextId());
        communication.putObject("author").put("address", address).put("channel", channel).put("type", authorType);
        communication.putObject("content").put("text", text);
        communication.putArray("recipients");
        communication.put("createdAt", Instant.now().toString());
        memoryProfile(storeId, profileId).communications().add(communication);
    }

    private MemoryProfile memoryProfile(String storeId, String profileId) {
        MemoryProfile profile = memoryStores.getOrDefault(storeId, Map.of()).get(profileId);
        if (profile == null) {
            throw new IllegalArgumentException("no profile " + profileId + " in store " + storeId + ": addMemoryProfile first");
        }
        return profile;
    }

    /**
     * A communication of an Orchestrator conversation, listed by {@code GET /v2/Conversations/{id}/Communications} in
     * the order added (the conversation becomes known to the fake). Returns its id.
     */
    public String addCommunication(String conversationId, String authorAddress, String channel, String participantId,
                                   String text) {
        String now = Instant.now().toString();
        ObjectNode communication = JSON.createObjectNode().put("id", "conv_communication_" + nextId())
                .put("conversationId", conversationId).put("accountId", "AC" + hex32());
        ObjectNode author = communication.putObject("author").put("address", authorAddress).put("channel", channel);
        if (participantId != null) {
            author.put("participantId", participantId);
        }
        communication.putObject("content").put("type", "TEXT").put("text", text);
        communication.putArray("recipients");
        communication.put("createdAt", now).put("updatedAt", now);
        conversations.computeIfAbsent(conversationId, id -> conversation(id, "ACTIVE"));
        communications.computeIfAbsent(conversationId, k -> new CopyOnWriteArrayList<>()).add(communication);
        return communication.path("id").asText();
    }

    /**
     * Every Memory Lookup and Recall, and every Communications list, answers after a real Twilio round trip
     * ({@link #MEMORY_LOOKUP_LATENCY}, {@link #MEMORY_RECALL_LATENCY}, {@link #COMMUNICATIONS_LATENCY}) instead of at
     * once, until {@link #reset()}: what a memory timeout must be measured against.
     */
    public FakeTwilioApi simulateMemoryLatency() {
        return respondAlways("/Profiles/Lookup$", Reply.delayed(MEMORY_LOOKUP_LATENCY))
                .respondAlways("/Profiles/[^/]+/Recall$", Reply.delayed(MEMORY_RECALL_LATENCY))
                .respondAlways("^/v2/Conversations/[^/]+/Communications$", Reply.delayed(COMMUNICATIONS_LATENCY));
    }

    private static String normalizeIdentifier(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        return v.contains("@") ? v : (v.startsWith("+") ? "+" : "") + v.replaceAll("[^0-9]", "");
    }

    private Answer memory(String method, String path, String body) throws Exception {
        Matcher m;
        if ((m = MEMORY_LOOKUP.matcher(path)).matches() && method.equals("POST")) {
            Map<String, MemoryProfile> store = memoryStores.get(m.group(1));
            if (store == null) {
                return notFound("Store " + m.group(1));
            }
            ObjectNode request = (ObjectNode) JSON.readTree(body);
            String idType = request.path("idType").asText("");
            String value = request.path("value").asText("");
            if (idType.length() < 2 || value.isBlank()) {
                return new Answer(400, Map.of(), Reply.twilioError(400, 20001, "idType and value are required").body());
            }
            String normalized = normalizeIdentifier(value);
            ObjectNode answer = JSON.createObjectNode().put("normalizedValue", normalized);
            List<String> matches = store.entrySet().stream().filter(e -> e.getValue().identifiers().contains(normalized))
                    .map(Map.Entry::getKey).sorted().toList();
            if (!matches.isEmpty()) {
                matches.forEach(answer.putArray("profiles")::add);
            }
            return json(200, answer);
        }
        if ((m = MEMORY_PROFILES.matcher(path)).matches() && method.equals("POST")) {
            return createProfile(m.group(1), body);
        }
        if ((m = MEMORY_RECALL.matcher(path)).matches() && method.equals("POST")) {
            MemoryProfile profile = memoryStores.getOrDefault(m.group(1), Map.of()).get(m.group(2));
            if (profile == null) {
                return notFound("Profile " + m.group(2));
            }
            ObjectNode request = body.isBlank() ? JSON.createObjectNode() : (ObjectNode) JSON.readTree(body);
            ObjectNode answer = JSON.createObjectNode();
            newest(answer.putArray("observations"), profile.observations(), request.path("observationsLimit").asInt(20));
            newest(answer.putArray("summaries"), profile.summaries(), request.path("summariesLimit").asInt(5));
            newest(answer.putArray("communications"), profile.communications(), request.path("communicationsLimit").asInt(0));
            answer.putObject("meta").put("queryTime", 1);
            return json(200, answer);
        }
        if ((m = MEMORY_PROFILE.matcher(path)).matches() && method.equals("GET")) {
            MemoryProfile profile = memoryStores.getOrDefault(m.group(1), Map.of()).get(m.group(2));
            return profile == null ? notFound("Profile " + m.group(2)) : json(200, profile.profile());
        }
        return null;
    }

    /** {@code POST /v1/Stores/{store}/Profiles {traits}}: identity resolution on the traits' phone and e-mail values. */
    private Answer createProfile(String storeId, String body) throws Exception {
        Map<String, MemoryProfile> store = memoryStores.get(storeId);
        if (store == null) {
            return notFound("Store " + storeId);
        }
        ObjectNode request = (ObjectNode) JSON.readTree(body);
        if (!request.path("traits").isObject() || request.path("traits").isEmpty()) {
            return new Answer(400, Map.of(), Reply.twilioError(400, 20001, "traits with an identifier are required").body());
        }
        List<String> identifiers = new ArrayList<>();
        request.path("traits").forEach(group -> group.forEach(value -> {
            if (value.isTextual() && !value.asText().isBlank()) {
                identifiers.add(normalizeIdentifier(value.asText()));
            }
        }));
        for (Map.Entry<String, MemoryProfile> existing : store.entrySet()) {
            if (existing.getValue().identifiers().stream().anyMatch(identifiers::contains)) {
                return json(202, JSON.createObjectNode().put("id", existing.getKey()));
            }
        }
        String id = "mem_profile_" + nextId();
        ObjectNode profile = JSON.createObjectNode().put("id", id).put("createdAt", Instant.now().toString());
        profile.set("traits", request.get("traits"));
        store.put(id, new MemoryProfile(profile, new CopyOnWriteArrayList<>(identifiers), new CopyOnWriteArrayList<>(),
                new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>()));
        return json(202, JSON.createObjectNode().put("id", id));
    }

    private static void newest(ArrayNode into, List<ObjectNode> items, int limit) {
        items.subList(Math.max(0, items.size() - Math.max(0, limit)), items.size()).forEach(into::add);
    }

    private Answer listCommunications(String conversationId, MultiMap params) {
        if (!conversations.containsKey(conversationId)) {
            return notFound("Conversation " + conversationId);
        }
        List<ObjectNode> all = communications.getOrDefault(conversationId, List.of());
        int pageSize = params.get("pageSize") == null ? 50 : Integer.parseInt(params.get("pageSize"));
        ObjectNode list = JSON.createObjectNode();
        ArrayNode items = list.putArray("communications");
        all.stream().limit(pageSize).forEach(items::add);
        list.putObject("meta").put("key", "communications").put("pageSize", items.size());
        return json(200, list);
    }

    /**
     * The call options of {@code CreateCall} as twilio-oai's api_v2010 spec types them (enums, integers, booleans,
     * URIs), so the sender's parameter names and values are checked here as Twilio would; null when all are valid.
     */
    static String invalidCallOption(Map<String, List<String>> form) {
        Set<String> statusEvents = Set.of("initiated", "ringing", "answered", "completed");
        Set<String> recordingEvents = Set.of("in-progress", "completed", "absent");
        for (String event : form.getOrDefault("StatusCallbackEvent", List.of())) {
            if (!statusEvents.contains(event)) {
                return "StatusCallbackEvent " + event + " is not one of " + statusEvents;
            }
        }
        for (String event : form.getOrDefault("RecordingStatusCallbackEvent", List.of())) {
            if (!recordingEvents.contains(event)) {
                return "RecordingStatusCallbackEvent " + event + " is not one of " + recordingEvents;
            }
        }
        String detection = first(form, "MachineDetection");
        if (detection != null && !Set.of("Enable", "DetectMessageEnd").contains(detection)) {
            return "MachineDetection must be Enable or DetectMessageEnd";
        }
        for (String flag : List.of("AsyncAmd", "Record")) {
            String value = first(form, flag);
            if (value != null && !value.equals("true") && !value.equals("false")) {
                return flag + " must be true or false";
            }
        }
        for (String number : List.of("Timeout", "MachineDetectionTimeout")) {
            String value = first(form, number);
            if (value != null && !value.matches("\\d+")) {
                return number + " must be an integer";
            }
        }
        for (String url : List.of("StatusCallback", "AsyncAmdStatusCallback", "RecordingStatusCallback", "Url")) {
            String value = first(form, url);
            if (value != null && !value.startsWith("http://") && !value.startsWith("https://")) {
                return url + " must be an http(s) URL";
            }
        }
        for (String methodName : List.of("StatusCallbackMethod", "AsyncAmdStatusCallbackMethod", "RecordingStatusCallbackMethod")) {
            String value = first(form, methodName);
            if (value != null && !value.equals("GET") && !value.equals("POST")) {
                return methodName + " must be GET or POST";
            }
        }
        return null;
    }

    private static Answer notFound(String what) {
        return new Answer(404, Map.of(), Reply.twilioError(404, 20404, what + " was not found").body());
    }

    /**
     * When an orchestrated call's conversation becomes visible to {@code GET /v2/Conversations?channelId={CallSid}}:
     * the Orchestrator creates it only after the TwiML was fetched, and its list is eventually consistent.
     */
    public record Listing(int fromPoll, Duration after) {
        /** Listed from the {@code n}th list request for the call on (1: at once). */
        public static Listing fromPoll(int n) {
            return new Listing(n, Duration.ZERO);
        }

        /** Listed once {@code delay} has passed since {@link #orchestrateCall}. */
        public static Listing after(Duration delay) {
            return new Listing(1, delay);
        }

        /** Never listed (the lookup finds nothing). */
        public static Listing never() {
            return new Listing(Integer.MAX_VALUE, Duration.ZERO);
        }
    }

    private record VoiceCall(String callSid, Listing listing, Instant created) {
        boolean visible(long polls) {
            return polls >= listing.fromPoll() && !Instant.now().isBefore(created.plus(listing.after()));
        }
    }

    /** The ids the Orchestrator gave an orchestrated call's conversation and participants. */
    public record OrchestratedCall(String conversationId, String customerParticipantId, String aiAgentParticipantId,
                                   String unknownParticipantId) {
    }

    /**
     * Plays the Orchestrator for an inbound call under {@code configurationId}: an ACTIVE conversation whose channel is
     * {@code callSid}, with a CUSTOMER participant (VOICE {@code customer}, {@code profileId}, may be null), an
     * AI_AGENT participant (VOICE {@code agent}) and an UNKNOWN one (as Twilio adds for addresses it cannot place).
     * {@code GET /v2/Conversations?channelId={callSid}&status=ACTIVE} lists it only as {@code listing} allows.
     */
    public OrchestratedCall orchestrateCall(String configurationId, String callSid, String customer, String agent,
                                            String profileId, Listing listing) {
        String id = "conv_conversation_" + nextId();
        ObjectNode conversation = conversation(id, "ACTIVE");
        conversation.put("accountId", "AC00000000000000000000000000000000").put("configurationId", configurationId);
        conversations.put(id, conversation);
        voiceCalls.put(id, new VoiceCall(callSid, listing, Instant.now()));
        String customerId = addParticipant(id, "CUSTOMER", "VOICE", customer);
        if (profileId != null) {
            participants.get(id).get(participants.get(id).size() - 1).put("profileId", profileId);
        }
        String agentId = addParticipant(id, "AI_AGENT", "VOICE", agent);
        String unknownId = addParticipant(id, "UNKNOWN", "VOICE", "+15005550000");
        return new OrchestratedCall(id, customerId, agentId, unknownId);
    }

    /** How many {@code GET /v2/Conversations?channelId=} requests asked for {@code channelId}. */
    public long listPolls(String channelId) {
        AtomicLong polls = listPolls.get(channelId);
        return polls == null ? 0 : polls.get();
    }

    /** The requests Studio's voice webhook of {@code flowSid} received (the relay's action request), in order. */
    public List<Recorded> studioVoiceRequests(String flowSid) {
        return requests.stream().filter(r -> r.method().equals("POST")
                && r.path().matches("^/v1/Accounts/[^/]+/Flows/" + Pattern.quote(flowSid) + "$")).toList();
    }

    /** Seeds a Memory profile of {@code store} whose {@code Contact.phone} trait is {@code phone}; returns its id. */
    public String addProfile(String store, String phone) {
        String id = "mem_profile_" + nextId();
        addMemoryProfile(store, id, phone);
        return id;
    }

    /** The Memory profiles of {@code store} ({@code {id, traits}}), seeded or created through the API. */
    public List<ObjectNode> profiles(String store) {
        return memoryStores.getOrDefault(store, Map.of()).values().stream().map(MemoryProfile::profile).toList();
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
        if ((m = COMMUNICATIONS.matcher(path)).matches() && method.equals("GET")) {
            return listCommunications(m.group(1), params);
        }
        Answer memory = memory(method, path, body);
        if (memory != null) {
            return memory;
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
                long polls = channelId == null ? 0
                        : listPolls.computeIfAbsent(channelId, k -> new AtomicLong()).incrementAndGet();
                ObjectNode list = JSON.createObjectNode();
                ArrayNode items = list.putArray("conversations");
                conversations.values().stream()
                        .filter(c -> {
                            VoiceCall call = voiceCalls.get(c.path("id").asText());
                            if (call != null) {
                                return call.callSid().equals(channelId) && call.visible(polls);
                            }
                            return channelId == null || channelId.equals(c.path("channelId").asText(null));
                        })
                        .filter(c -> statuses.isEmpty() || statuses.contains(c.path("status").asText()))
                        .forEach(items::add);
                // the spec's list envelope: {"conversations": [...], "meta": {"key", "pageSize", "nextToken"?}}
                list.putObject("meta").put("key", "conversations").put("pageSize", items.size());
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
            String invalid = invalidCallOption(form);
            if (invalid != null) {
                return new Answer(400, Map.of(), Reply.twilioError(400, 21205, invalid).body());
            }
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
        if (STUDIO_VOICE_WEBHOOK.matcher(path).matches() && method.equals("POST")) {
            // Studio's flow starts for the call (Trigger=incomingCall) and answers TwiML; the form (CallSid,
            // HandoffData, ...) is recorded for the test to read
            return new Answer(200, Map.of("Content-Type", "text/xml"),
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say>Connecting you to an agent.</Say></Response>");
        }
        if (MEMORY_OBSERVATIONS.matcher(path).matches() && method.equals("POST")) {
            ObjectNode observation = ((ObjectNode) JSON.readTree(body)).deepCopy();
            observation.put("id", "mem_observation_" + nextId()).put("createdAt", Instant.now().toString());
            Matcher o = MEMORY_OBSERVATIONS.matcher(path);
            if (o.matches() && memoryStores.getOrDefault(o.group(1), Map.of()).containsKey(o.group(2))) {
                memoryProfile(o.group(1), o.group(2)).observations().add(observation); // Recall finds it later
            }
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
