package io.switchboard.dev.e2e;

import io.switchboard.agent.Ended;
import io.switchboard.agent.Interrupt;
import io.switchboard.agent.Message;
import io.switchboard.agent.Session;
import io.switchboard.agent.SwitchboardAgent;
import io.switchboard.agent.TokenStream;
import io.switchboard.dev.DevStack;
import io.switchboard.launcher.ServiceDefinition;
import io.switchboard.launcher.Services;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.localtwilio.TwilioWebhooks;
import io.switchboard.outbound.OutboundConfig;
import io.switchboard.outbound.OutboundService;
import io.switchboard.testkit.FreePorts;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The whole of {@code switchboard dev} — embedded broker, memory, router, outbound-sender, an agent, ingress on one
 * HTTP port, the local fake Twilio API — started once per test JVM and shared by the end-to-end tests. The agent is
 * the test's own (echo, plus a slow streamed reply and a handoff on cue) so tests can see what it was called with;
 * the outbound-sender is reachable so a test can restart it.
 */
final class Pipeline implements AutoCloseable {
    static final String AUTH_TOKEN = "e2e-auth-token";
    static final String HANDOFF_FLOW = "FW00000000000000000000000000000e2e";
    /** The second of the agent's RCS senders (TWILIO_RCS_SENDER_IDS). */
    static final String RCS_SUPPORT_SENDER = "rcs:switchboard_e2e_support";
    static final String CI_CONFIGURATION = "intelligence_configuration_e2e";
    static final String CI_OBSERVATION_OPERATOR = "LY000000000000000000000000000e2eob";
    static final String CI_SUMMARY_OPERATOR = "LY000000000000000000000000000e2esu";
    private static Pipeline shared;

    final DevStack stack;
    /** The OpenAI-compatible model the LLM example agent (messages starting "llm ") talks to. */
    final io.switchboard.testkit.FakeOpenAi model = io.switchboard.testkit.FakeOpenAi.start();
    private final io.switchboard.examples.llm.LlmAgent llm = new io.switchboard.examples.llm.LlmAgent(
            io.switchboard.examples.llm.LlmConfig.fromEnv(Map.of("OPENAI_BASE_URL", model.baseUrl(),
                    "OPENAI_MODEL", "e2e-model")));
    final int port;
    final Vertx vertx = Vertx.vertx();
    final Queue<Message> messages = new ConcurrentLinkedQueue<>();
    final Map<String, io.switchboard.events.Memory> memories = new java.util.concurrent.ConcurrentHashMap<>();
    /** Conversation id of every message the agent got, by message id. */
    final Map<String, String> conversationOf = new java.util.concurrent.ConcurrentHashMap<>();
    /** The session of every message the agent got, by message id. */
    final Map<String, Session> sessionOf = new java.util.concurrent.ConcurrentHashMap<>();
    final Queue<Interrupt> interrupts = new ConcurrentLinkedQueue<>();
    final Queue<String> cancelledReplies = new ConcurrentLinkedQueue<>();
    final Queue<String> digits = new ConcurrentLinkedQueue<>();
    /** What the agent's onCallStarted got, in order. */
    final Queue<io.switchboard.agent.CallSetup> setups = new ConcurrentLinkedQueue<>();
    /** What onCallStatus, onAmd and onRecording got, with the session's conversation id: "conversationId kind value". */
    final Queue<String> callEvents = new ConcurrentLinkedQueue<>();
    final Queue<EndedConversation> ended = new ConcurrentLinkedQueue<>();
    /** What the agent's onHandoffFailed got: "conversationId: reason". */
    final Queue<String> handoffFailures = new ConcurrentLinkedQueue<>();
    /** What the agent's onIntelligence got. */
    final Queue<io.switchboard.agent.CiResult> intelligence = new ConcurrentLinkedQueue<>();
    private final AtomicReference<OutboundService> outbound = new AtomicReference<>();
    private final AtomicReference<io.switchboard.router.RouterService> router = new AtomicReference<>();
    /** The stack's tracing (dev's in-process one), for services the tests restart. */
    private volatile io.switchboard.tracing.Tracing tracing = io.switchboard.tracing.Tracing.OFF;
    /** The running test agent, for agent-initiated conversations. */
    final AtomicReference<SwitchboardAgent> agent = new AtomicReference<>();

    private Pipeline() throws Exception {
        port = FreePorts.one();
        Path dataDir = Files.createTempDirectory("switchboard-e2e");
        Map<String, String> env = Map.ofEntries(
                Map.entry("TWILIO_AUTH_TOKEN", AUTH_TOKEN),
                Map.entry("TWILIO_PHONE_NUMBER", TwilioWebhooks.AGENT_NUMBER),
                Map.entry("TWILIO_WHATSAPP_NUMBER", TwilioWebhooks.agentAddress("WHATSAPP")),
                Map.entry("TWILIO_RCS_SENDER_ID", TwilioWebhooks.agentAddress("RCS")),
                Map.entry("TWILIO_RCS_SENDER_IDS", RCS_SUPPORT_SENDER),
                Map.entry("SWITCHBOARD_TOPIC_PARTITIONS", "4"),
                Map.entry("OUTBOUND_RETRY_INITIAL_BACKOFF_MS", "50"),
                // WhatsApp messages carry the customer's memory (local provider), the other channels none.
                Map.entry("SWITCHBOARD_MEMORY_MODE_WHATSAPP", "always"),
                // voice too: relay-only calls get an empty memory without a call, orchestrated ones the customer's
                Map.entry("SWITCHBOARD_MEMORY_MODE_VOICE", "always"),
                Map.entry("TWILIO_STUDIO_HANDOFF_FLOW_SID", HANDOFF_FLOW),
                Map.entry("SWITCHBOARD_VOICE_TWIML_URL", "http://localhost:" + port + "/twiml"),
                Map.entry("SWITCHBOARD_VOICE_CALL_EVENT_URL", "http://localhost:" + port + "/twilio/call-events"),
                // Conversation Intelligence: /ci-webhook on, its observations and summaries into the local memory
                Map.entry("CONVERSATION_INTELLIGENCE_CONFIGURATION_ID", CI_CONFIGURATION),
                Map.entry("CONVERSATION_INTELLIGENCE_OBSERVATION_OPERATOR_SID", CI_OBSERVATION_OPERATOR),
                Map.entry("CONVERSATION_INTELLIGENCE_SUMMARY_OPERATOR_SID", CI_SUMMARY_OPERATOR),
                // a WhatsApp reply slower than 200 ms (the agent's "think …" cue) gets a typing indicator first
                Map.entry("SWITCHBOARD_AGENT_TYPING_INDICATOR", "true"),
                Map.entry("SWITCHBOARD_AGENT_TYPING_INDICATOR_DELAY_MS", "200"),
                Map.entry("SWITCHBOARD_OPERATOR_PORT", "0"),
                Map.entry("PORT", Integer.toString(port)));
        stack = DevStack.start(new DevStack.Settings(dataDir, 0, port), env, services());
    }

    static synchronized Pipeline get() throws Exception {
        if (shared == null) {
            shared = new Pipeline();
        }
        return shared;
    }

    /**
     * Stops the shared stack when the test run ends ({@link Shared} registers it for that). Not in a JVM shutdown
     * hook: surefire halts a test JVM whose shutdown takes longer than 30 s, and stopping every service and a broker
     * on a loaded 2-core machine can, which failed the build with every test green.
     */
    @Override
    public void close() {
        stack.close();
        model.close();
    }

    /** On every e2e test class: the shared pipeline lives in the root store, closed when all tests ran. */
    static final class Shared implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                    .getOrComputeIfAbsent(Pipeline.class, key -> {
                        try {
                            return get();
                        } catch (Exception e) {
                            throw new IllegalStateException("The e2e pipeline did not start", e);
                        }
                    }, Pipeline.class);
        }
    }

    FakeTwilioApi twilio() {
        return stack.localTwilio().orElseThrow();
    }

    /** A client of the memory API on dev's operator listener, with dev's internal token (as the router's and agents'). */
    io.switchboard.memory.MemoryClient memoryClient() {
        return new io.switchboard.memory.MemoryClient(java.net.URI.create(stack.operator().localBaseUrl()),
                java.time.Duration.ofSeconds(5), io.switchboard.config.InternalToken.required(
                        stack.env().get(io.switchboard.config.InternalToken.NAME), "the e2e memory client"));
    }

    TwilioWebhooks webhooks() {
        return new TwilioWebhooks(vertx, port, AUTH_TOKEN);
    }

    /** Stops the running outbound-sender and starts a new one, as a crash and restart of that service would. */
    void restartOutbound() throws Exception {
        restartOutbound(Map.of());
    }

    /** {@link #restartOutbound()} with some settings changed (e.g. an Orchestrator configuration). */
    void restartOutbound(Map<String, String> overrides) throws Exception {
        OutboundService old = outbound.get();
        old.close();
        Map<String, String> env = new java.util.HashMap<>(stack.env());
        env.putAll(overrides);
        OutboundService fresh = new OutboundService(OutboundConfig.fromEnv(env),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), tracing);
        fresh.start();
        outbound.set(fresh);
    }

    /** Stops the running router and starts a new one (same application id: its state restored from the changelogs). */
    void restartRouter() throws Exception {
        restartRouter(Map.of());
    }

    /** {@link #restartRouter()} with some settings changed (e.g. a memory service that does not answer). */
    void restartRouter(Map<String, String> overrides) throws Exception {
        router.get().close();
        Map<String, String> env = new java.util.HashMap<>(stack.env());
        env.putAll(overrides);
        io.switchboard.router.RouterService fresh = new io.switchboard.router.RouterService(
                io.switchboard.router.RouterConfig.fromEnv(env),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), tracing);
        fresh.start();
        router.set(fresh);
    }

    /** dev's services, with the outbound-sender captured and the echo agent replaced by the test's agent. */
    private List<ServiceDefinition> services() {
        List<ServiceDefinition> services = new ArrayList<>();
        for (ServiceDefinition definition : Services.all()) {
            switch (definition.command()) {
                case "agent" -> services.add(new ServiceDefinition("agent", "test agent",
                        context -> {
                            SwitchboardAgent built = agent(SwitchboardAgent.builder(context.env()).groupId("e2e-agent")
                                    .tracing(Services.tracing(context)));
                            agent.set(built);
                            llm.attach(built);
                            return built;
                        }));
                case "router" -> services.add(new ServiceDefinition("router", definition.description(), context -> {
                    tracing = Services.tracing(context);
                    io.switchboard.router.RouterService service =
                            (io.switchboard.router.RouterService) definition.factory().create(context);
                    router.set(service);
                    return new io.switchboard.service.ManagedService() {
                        @Override
                        public String name() {
                            return "router (restartable)";
                        }

                        @Override
                        public void start() throws Exception {
                            service.start();
                        }

                        @Override
                        public void close() {
                            router.get().close();
                        }
                    };
                }));
                case "outbound" -> services.add(new ServiceDefinition("outbound", definition.description(), context -> {
                    OutboundService service = (OutboundService) definition.factory().create(context);
                    outbound.set(service);
                    return new io.switchboard.service.ManagedService() {
                        @Override
                        public String name() {
                            return "outbound (restartable)";
                        }

                        @Override
                        public void start() throws Exception {
                            service.start();
                        }

                        @Override
                        public void close() {
                            outbound.get().close();
                        }
                    };
                }));
                default -> services.add(definition);
            }
        }
        return services;
    }

    /** Echoes; "recall …" answers from retrieveMemory; "hand me off" says goodbye and hands off (Reply.handoff); "slow …" streams a token every 200 ms until interrupted; "think …" answers after 1.5 s (a typing indicator first on WhatsApp); "llm …" is answered by the LLM example agent (examples' LlmAgent) with {@link #model}; "transfer me" hands the call off; "every frame" sends language, play, flagged text and sendDigits; a call's "greeting" custom parameter is spoken by onCallStarted. */
    private SwitchboardAgent agent(SwitchboardAgent.Builder builder) {
        // The field {@code agent} (set once built) gives the callbacks retrieveMemory and startConversation.
        return builder
                .onMessageReady((Message message, Session session, io.switchboard.events.Memory memory,
                        io.switchboard.agent.Reply reply) -> {
                    conversationOf.put(message.messageId(), session.conversationId());
                    sessionOf.put(message.messageId(), session);
                    messages.add(message);
                    if (memory != null) {
                        memories.put(message.messageId(), memory);
                    }
                    if (message.text().startsWith("recall ")) {
                        io.switchboard.events.Memory recalled = agent.get()
                                .retrieveMemory(session, message.text().substring("recall ".length())).get();
                        // What the customer said in earlier conversations: this one's own messages (the "recall"
                        // itself may already be in the memory, and ranks high for its own words) are not memories.
                        reply.sendResponse(recalled.getCommunications().stream()
                                .filter(c -> !c.getFromAgent() && !session.conversationId().equals(c.getConversationId()))
                                .findFirst().map(c -> "You told me: " + c.getText()).orElse("nothing"));
                    } else if (message.text().startsWith("slow")) {
                        TokenStream stream = reply.stream();
                        for (int i = 0; i < 50 && !stream.isCancelled(); i++) {
                            stream.send("word" + i + " ");
                            try {
                                Thread.sleep(200);
                            } catch (InterruptedException e) {
                                break;
                            }
                        }
                        if (stream.isCancelled()) {
                            cancelledReplies.add(session.conversationId());
                            return;
                        }
                        stream.end();
                    } else if (message.text().equals("hand me off")) {
                        reply.sendResponse("Connecting you to a person");
                        reply.handoff("customer asked for a human", Map.of("department", "billing"));
                    } else if (message.text().startsWith("llm ")) {
                        llm.answer(message, session, memory, reply);
                    } else if (message.text().startsWith("think")) {
                        Thread.sleep(1_500); // a slow reply: well past the typing indicator's 200 ms
                        reply.sendResponse("Thought about it");
                    } else if (message.text().equals("every frame")) {
                        // each relay frame an agent can send, in the order of one turn
                        reply.language("es-MX", "es-MX");
                        reply.play("https://example.com/hold.mp3", 2, true, false);
                        TokenStream spanish = reply.stream(io.switchboard.agent.TextOptions.lang("es-MX")
                                .withInterruptible(false).withPreemptible(true));
                        spanish.send("Hola");
                        spanish.send(" amigo");
                        spanish.end();
                        reply.sendDigits("9w1");
                    } else if (message.text().equals("transfer me")) {
                        reply.endSession("{\"reason\":\"customer asked for a human\",\"queue\":\"support\"}");
                    } else {
                        TokenStream stream = reply.stream();
                        String[] words = ("You said: " + message.text()).split(" ");
                        for (int i = 0; i < words.length; i++) {
                            stream.send(i == 0 ? words[i] : " " + words[i]);
                        }
                        stream.end();
                    }
                })
                .onCallStarted((session, setup, reply) -> {
                    setups.add(setup);
                    String greeting = setup.customParameters().get("greeting");
                    if (greeting != null) {
                        reply.sendResponse(greeting);
                    }
                })
                .onCallStatus((session, status, reply) -> callEvents.add(session.conversationId() + " status "
                        + status.getCallStatus() + (status.getCallDurationSeconds() == null ? "" : " " + status.getCallDurationSeconds())))
                .onAmd((session, amd, reply) -> callEvents.add(session.conversationId() + " amd " + amd.getAnsweredBy()
                        + " " + amd.getMachineDetectionDurationMs()))
                .onRecording((session, recording, reply) -> callEvents.add(session.conversationId() + " recording "
                        + recording.getRecordingStatus() + " " + recording.getRecordingUrl()))
                .onInterrupt((session, interrupt) -> interrupts.add(interrupt))
                .onDtmf((session, digit) -> {
                    digits.add(digit);
                    return "You pressed " + digit;
                })
                .onConversationEnded((session, end) -> ended.add(new EndedConversation(session.conversationId(), end)))
                .onHandoffFailed((session, reason) -> {
                    handoffFailures.add(session.conversationId() + ": " + reason);
                    return "Sorry, I could not transfer you.";
                })
                .onIntelligence(intelligence::add)
                .build();
    }

    record EndedConversation(String conversationId, Ended ended) {
    }

    List<EndedConversation> endedFor(String conversationId) {
        return ended.stream().filter(e -> e.conversationId().equals(conversationId)).toList();
    }
}
