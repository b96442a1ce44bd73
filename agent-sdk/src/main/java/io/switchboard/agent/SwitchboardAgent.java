package io.switchboard.agent;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.switchboard.agent.Handlers.AmdHandler;
import io.switchboard.agent.Handlers.AsyncMessageHandler;
import io.switchboard.agent.Handlers.CallStartedHandler;
import io.switchboard.agent.Handlers.CallStatusHandler;
import io.switchboard.agent.Handlers.DtmfHandler;
import io.switchboard.agent.Handlers.EndedHandler;
import io.switchboard.agent.Handlers.HandoffFailedHandler;
import io.switchboard.agent.Handlers.IntelligenceHandler;
import io.switchboard.agent.Handlers.InterruptHandler;
import io.switchboard.agent.Handlers.MessageHandler;
import io.switchboard.agent.Handlers.RecordingHandler;
import io.switchboard.agent.Handlers.ReplyingMessageHandler;
import io.switchboard.config.KafkaSettings;
import io.switchboard.events.AgentEvent;
import io.switchboard.events.Channel;
import io.switchboard.events.DeadLetter;
import io.switchboard.events.IntelligenceEvent;
import io.switchboard.events.Memory;
import io.switchboard.events.OutboundEvent;
import io.switchboard.ids.EventIds;
import io.switchboard.kafka.KafkaClients;
import io.switchboard.kafka.PayloadType;
import io.switchboard.kafka.ordered.KeyOrderedConsumer;
import io.switchboard.kafka.ordered.KeyOrderedOptions;
import io.switchboard.memory.MemoryClient;
import io.switchboard.memory.MemoryQuery;
import io.switchboard.outreach.Outreach;
import io.switchboard.serde.EventSerdes;
import io.switchboard.service.ManagedService;
import io.switchboard.topics.Topic;
import io.switchboard.tracing.Messaging;
import io.switchboard.tracing.Tracing;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An AI agent as a Kafka consumer of {@code tac.agent.v1}, written like TAC's callbacks:
 *
 * <pre>{@code
 * SwitchboardAgent.builder()
 *         .groupId("echo")
 *         .onMessageReady((message, session, memory) -> "You said: " + message.text())
 *         .build()
 *         .start();
 * }</pre>
 *
 * <p><b>Concurrency.</b> One worker handles many conversations at once and each conversation strictly in order, one
 * event at a time (a {@link KeyOrderedConsumer} keyed by conversation id). Callbacks run on a pool of
 * {@code SWITCHBOARD_AGENT_CONCURRENCY} threads, never on the consumer thread; polled events not yet handled are
 * bounded ({@code SWITCHBOARD_AGENT_MAX_IN_FLIGHT}) by pausing partitions.
 *
 * <p><b>Replies.</b> A callback returns the reply text, a {@code CompletionStage} of it, or answers through a
 * {@link Reply} ({@code sendResponse}, {@code stream()}); voice replies stream token by token, messaging replies
 * go out whole. Each reply is written to {@code tac.outbound.v1} with acks=all before the event's offset can be
 * committed, with an id derived from the agent event ({@code EventIds.derived(agentEventId, "out", n)}), its
 * {@code inReplyTo}, turn and session.
 *
 * <p><b>Effectively once without transactions.</b> Kafka transactions would make a streamed token invisible to
 * read_committed readers until the transaction commits, which would hold back voice tokens for a commit interval
 * (and one transactional producer serialises the commits of all conversations). Instead, a worker that dies before
 * committing leaves the event to the next owner, which re-runs the callback and produces the same event ids;
 * outbound-sender drops ids it has already sent, durably. The customer sees each reply once, provided the re-run
 * produces its replies in the same order (true for deterministic handlers; an LLM may word a re-run differently,
 * and then the copy is still dropped by id, position by position).
 *
 * <p><b>Reading uncommitted.</b> The router writes tac.agent.v1 in Kafka transactions (its state and offsets commit
 * with its output). Agents read it {@code read_uncommitted} by default ({@code SWITCHBOARD_AGENT_ISOLATION_LEVEL}),
 * so an event is handled as soon as the router has written it instead of at the router's next commit. When a router
 * transaction aborts (a crashed router), its replay writes the same events again with the same ids: the second copy
 * is dropped ({@code switchboard.agent.copies}), and replies to the first are what the customer gets.
 *
 * <p><b>Interrupts.</b> An interrupt is acted on when it is polled, not when its turn comes: the running message
 * handler of that conversation is cancelled at once ({@link Reply#isCancelled()}, the thread interrupted, a returned
 * stage cancelled, its streams send nothing more) and messages of the conversation still waiting before the
 * interrupt are skipped. Then {@code onInterrupt} runs in order. Other conversations are not affected.
 *
 * <p><b>Conversation Intelligence.</b> {@code onIntelligence} receives the operator results of {@code tac.ci.v1}
 * ({@link CiResult}) through a consumer group of its own ({@code <group id>-ci}), started only when the callback is
 * registered; a conversation's results in order, with the same retries and dead letters as the other callbacks.
 *
 * <p><b>Errors.</b> A failing callback is logged with the conversation id (MDC {@code conversationId}), counted,
 * retried {@code SWITCHBOARD_AGENT_RETRIES} times, then written to {@code tac.dlq.v1}; the conversation goes on.
 *
 * <p><b>Scaling.</b> Run as many copies with one group id as you like (Kafka's consumer group protocol, KIP-848: a copy
 * joining or leaving moves only the partitions it takes or gives up); agents with
 * different group ids each see all traffic. {@link #close()} lets running callbacks finish (up to
 * {@code SWITCHBOARD_AGENT_SHUTDOWN_TIMEOUT_MS}) and hands the rest back to the group.
 *
 * <p>Metrics (Micrometer): {@code switchboard.agent.handlers.active}, {@code switchboard.agent.handler.latency},
 * {@code switchboard.agent.handler.errors}, {@code switchboard.agent.retries}, {@code switchboard.agent.dead.letters},
 * {@code switchboard.agent.interrupted}, and the consumer's {@code switchboard.consumer.*} (in flight, lag).
 */
public final class SwitchboardAgent implements ManagedService {
    private static final Logger log = LoggerFactory.getLogger(SwitchboardAgent.class);

    private final AgentConfig config;
    private final Callbacks callbacks;
    private final MeterRegistry registry;
    private final Map<String, Object> consumerOverrides;
    private final Tracing tracing;
    private KeyOrderedConsumer<AgentEvent> consumer;
    private KeyOrderedConsumer<IntelligenceEvent> intelligence;
    private KafkaProducer<String, OutboundEvent> outbound;
    private KafkaProducer<String, DeadLetter> deadLetters;
    private ExecutorService pool;
    private ScheduledExecutorService scheduler;
    private SessionDirectory sessions;
    private OutreachOutcomes outreach;
    private boolean closed;

    record Callbacks(MessageHandler blocking, AsyncMessageHandler async, ReplyingMessageHandler replying,
                     InterruptHandler interrupt, DtmfHandler dtmf, EndedHandler ended, IntelligenceHandler intelligence,
                     HandoffFailedHandler handoffFailed, CallStartedHandler callStarted, CallStatusHandler callStatus,
                     AmdHandler amd, RecordingHandler recording) {
        boolean hasMessageHandler() {
            return blocking != null || async != null || replying != null;
        }
    }

    private MemoryClient memoryClient;

    private SwitchboardAgent(AgentConfig config, Callbacks callbacks, MeterRegistry registry,
                             Map<String, Object> consumerOverrides, Tracing tracing) {
        this.tracing = tracing;
        this.config = config;
        this.callbacks = callbacks;
        this.registry = registry;
        this.consumerOverrides = Map.copyOf(consumerOverrides);
    }

    /** A builder that reads its defaults from the process environment. */
    public static Builder builder() {
        return new Builder(System.getenv());
    }

    /** A builder that reads its defaults from {@code env} instead of the process environment. */
    public static Builder builder(Map<String, String> env) {
        return new Builder(env);
    }

    @Override
    public String name() {
        return "agent:" + config.groupId();
    }

    /**
     * Whether {@link Reply#handoff} can hand a conversation of {@code channel} to a human: voice always (the call's
     * action callback routes it), messaging only with a Studio flow ({@code TWILIO_STUDIO_HANDOFF_FLOW_SID}). An LLM
     * agent offers its handoff tool only when this is true.
     */
    public boolean handoffAvailable(Channel channel) {
        return channel == Channel.VOICE || config.studioHandoffFlowSid() != null;
    }

    public AgentConfig config() {
        return config;
    }

    /**
     * Asks the memory service for what is known about the customer of {@code session}, ranked by relevance to
     * {@code query} (empty: most recent first) — TAC's {@code retrieve_memory}. Never blocks: the future completes
     * within {@code SWITCHBOARD_AGENT_MEMORY_TIMEOUT_MS} or fails; it fails at once when SWITCHBOARD_MEMORY_URL is
     * not set.
     */
    public CompletableFuture<Memory> retrieveMemory(Session session, String query) {
        MemoryClient client = memoryClient();
        if (client == null) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    AgentConfig.MEMORY_URL + " is not set: retrieveMemory needs the memory service's URL"));
        }
        // a CLIENT span under the caller's current span (the handler's, on a handler thread)
        Span span = !tracing.enabled() ? Span.getInvalid()
                : tracing.tracer().spanBuilder("POST /memory/retrieve").setSpanKind(SpanKind.CLIENT)
                        .setAttribute("http.request.method", "POST")
                        .setAttribute(Messaging.CONVERSATION_ID, session.conversationId())
                        .startSpan();
        CompletableFuture<Memory> answer = client.retrieve(MemoryQuery.of(session.conversationId(), session.profileId(),
                session.from(), session.channel(), query == null ? "" : query));
        return answer.whenComplete((memory, error) -> {
            if (error != null) {
                Messaging.failed(span, error);
            }
            span.end();
        });
    }

    /**
     * The process's tracing (OFF unless configured): handlers can start spans of their own under the current one,
     * as the LLM example does for its model call.
     */
    public Tracing tracing() {
        return tracing;
    }

    private synchronized MemoryClient memoryClient() {
        if (memoryClient == null && config.memoryUrl() != null) {
            memoryClient = new MemoryClient(URI.create(config.memoryUrl()), config.memoryTimeout(),
                    config.internalToken());
        }
        return memoryClient;
    }

    /** Connects and starts handling events; returns at once (see {@link #awaitAssignment(Duration)}). */
    @Override
    public synchronized void start() {
        if (consumer != null) {
            throw new IllegalStateException(name() + " already started");
        }
        KafkaClients clients = new KafkaClients(config.kafka());
        EventSerdes serdes = clients.serdes();
        String clientId = config.groupId() + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
        // each reply names its payload type in a header: readers that want a few types skip the rest undecoded
        outbound = new KafkaProducer<>(clients.producerConfig(clientId + "-outbound"), new StringSerializer(),
                PayloadType.tagging(serdes.forType(OutboundEvent.class).serializer(), OutboundEvent::getPayload));
        deadLetters = new KafkaProducer<>(clients.producerConfig(clientId + "-dlq"), new StringSerializer(),
                serdes.forType(DeadLetter.class).serializer());
        // fetch metadata now: a missing topic or unreachable broker fails the start, not the first reply
        outbound.partitionsFor(config.outputTopic());
        deadLetters.partitionsFor(Topic.DEAD_LETTER.topicName());
        boolean virtual = config.virtualThreads() && HandlerThreads.virtualAvailable();
        pool = HandlerPool.create(config.concurrency(),
                HandlerThreads.factory(config.groupId() + "-handler-", virtual));
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, config.groupId() + "-retry");
            t.setDaemon(true);
            return t;
        });
        AgentMetrics metrics = new AgentMetrics(registry, config.groupId());
        sessions = new SessionDirectory(config);
        outreach = new OutreachOutcomes(config);
        AgentRuntime runtime = new AgentRuntime(config, metrics, pool, scheduler, callbacks, outbound, deadLetters,
                serdes.forType(AgentEvent.class).serializer(), sessions, tracing);
        Map<String, Object> consumerConfig = new HashMap<>(clients.consumerConfig(config.groupId(), clientId));
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, config.isolationLevel());
        consumerConfig.putAll(consumerOverrides);
        consumer = new KeyOrderedConsumer<>(consumerConfig, serdes.forType(AgentEvent.class).deserializer(),
                List.of(config.inputTopic()), runtime,
                KeyOrderedOptions.defaults().withName("agent-" + config.groupId()).withMaxInFlight(config.maxInFlight())
                        .withRevokeTimeout(Duration.ofSeconds(10)).withMeterRegistry(registry));
        consumer.start();
        if (callbacks.intelligence() != null) {
            // a group of its own: CI results never wait behind messages, and agents without the callback never read them
            String group = config.groupId() + "-ci";
            intelligence = new KeyOrderedConsumer<>(clients.consumerConfig(group, clientId + "-ci"),
                    serdes.<IntelligenceEvent>forTopic(Topic.INTELLIGENCE).deserializer(),
                    List.of(Topic.INTELLIGENCE.topicName()),
                    new IntelligenceRuntime(config, metrics, pool, scheduler, callbacks.intelligence(), deadLetters,
                            serdes.<IntelligenceEvent>forTopic(Topic.INTELLIGENCE).serializer()),
                    KeyOrderedOptions.defaults().withName("agent-" + group).withMaxInFlight(config.maxInFlight())
                            .withRevokeTimeout(Duration.ofSeconds(10)).withMeterRegistry(registry));
            intelligence.start();
        }
        log.info("Agent {} started: up to {} handlers at once on {} threads, bootstrap {}", config.groupId(),
                config.concurrency(), virtual ? "virtual" : "platform", config.kafka().bootstrapServers());
    }

    /**
     * TAC's {@code send_response(conversation_id, response)} outside a handler: sends {@code text} to a live
     * conversation at any time (a proactive follow-up, a tool that finished late) — a message on its channel, or spoken
     * on its call. The channel and addresses are the conversation's session as the router last stated it on
     * tac.agent.v1 ({@link SessionDirectory}). {@code idempotencyKey} makes the send's id deterministic
     * ({@code EventIds.derived(conversationId, "send", key)}): a re-run that sends again with the same key is dropped
     * by outbound-sender; null: a random id. The future completes with the outbound event id once Kafka has it, or
     * fails with {@link ConversationEndedException} (nothing sent) when the conversation ended or is unknown.
     */
    public CompletableFuture<String> sendResponse(String conversationId, String text, String idempotencyKey) {
        Objects.requireNonNull(conversationId, "conversationId");
        Objects.requireNonNull(text, "text");
        if (outbound == null) {
            throw new IllegalStateException(name() + " is not started");
        }
        return CompletableFuture.supplyAsync(() -> sessions.find(conversationId), pool).thenCompose(found -> {
            if (found.isEmpty() || found.get().ended()) {
                throw new ConversationEndedException("Conversation " + conversationId + (found.isEmpty()
                        ? " is not live (no agent event of it in the last " + config.sessionLookback() + ")"
                        : " has ended") + ": nothing sent");
            }
            String eventId = idempotencyKey == null ? EventIds.random()
                    : EventIds.derived(conversationId, "send", idempotencyKey);
            OutboundEvent event = OutboundEvent.newBuilder().setEventId(eventId).setConversationId(conversationId)
                    .setOccurredAt(Instant.now()).setTraceId(EventIds.newTraceId()).setInReplyTo(null).setTurn(-1)
                    .setSession(found.get().session())
                    .setPayload(io.switchboard.events.Reply.newBuilder().setReplyId(EventIds.derived(eventId, "reply"))
                            .setSequence(0).setText(text).setLast(true).build())
                    .build();
            CompletableFuture<String> done = new CompletableFuture<>();
            outbound.send(new ProducerRecord<>(config.outputTopic(), conversationId, event), (metadata, error) -> {
                if (error != null) {
                    done.completeExceptionally(error);
                } else {
                    done.complete(eventId);
                }
            });
            return done;
        });
    }

    /** {@link #sendResponse(String, String, String)} with a random id (a re-run sends it again). */
    public CompletableFuture<String> sendResponse(String conversationId, String text) {
        return sendResponse(conversationId, text, null);
    }

    /**
     * Starts an agent-initiated conversation, as TAC's outbound messaging does: outbound-sender creates (or, on 409,
     * reuses) the Orchestrator conversation with the customer ({@code to}) and the agent as participants and sends
     * {@code firstMessage}. {@code channel} is SMS, WHATSAPP, RCS or CHAT ({@code to} in that channel's address form,
     * e.g. {@code whatsapp:+1…}). The request is a durable Kafka event; the returned future completes with the
     * conversation's id once outbound-sender created it (as TAC returns it), or fails saying why it was not started.
     * The customer's answer arrives through {@code onMessageReady} in that conversation.
     */
    public CompletableFuture<String> startConversation(Channel channel, String to, String firstMessage) {
        return startConversation(channel, to, firstMessage, StartOptions.NONE);
    }

    /**
     * {@link #startConversation(Channel, String, String)} from a chosen sender ({@code options.from()}, e.g. one of
     * several RCS sender ids of {@code TWILIO_RCS_SENDER_IDS}) and, for CHAT, with TAC's {@code channelId}.
     */
    public CompletableFuture<String> startConversation(Channel channel, String to, String firstMessage,
                                                       StartOptions options) {
        if (channel == Channel.VOICE) {
            throw new IllegalArgumentException("Use placeCall for voice");
        }
        if (outbound == null) {
            throw new IllegalStateException(name() + " is not started");
        }
        OutboundEvent event = Outreach.conversationRequest(EventIds.random(), EventIds.newTraceId(), channel,
                Objects.requireNonNull(to, "to"), firstMessage, options.from(), options.channelId());
        String requestId = event.getEventId();
        // note where its delivery will be before asking: the outcome cannot be missed however fast it comes
        return CompletableFuture.supplyAsync(() -> outreach.mark(event.getConversationId()), pool)
                .thenCompose(mark -> send(event).thenApply(sent -> mark))
                .thenApplyAsync(mark -> outreach.conversationId(mark, requestId), pool);
    }

    /**
     * Places an outbound call to {@code to} from {@code TWILIO_PHONE_NUMBER}; when answered, Twilio fetches ingress's
     * {@code /twiml} and the call connects to ConversationRelay: the session then behaves like an inbound call
     * (conversation id = the call SID). The future completes with the request's id once Kafka has it.
     */
    public CompletableFuture<String> placeCall(String to) {
        return placeCall(to, CallOptions.NONE);
    }

    /**
     * {@link #placeCall(String)} with TAC's call options: answering machine detection (synchronous, or asynchronous
     * with {@code onAmd}), recording ({@code onRecording}), a ring timeout, status events ({@code onCallStatus}).
     * The callbacks are ingress's {@code https://{TWILIO_VOICE_PUBLIC_DOMAIN}{TWILIO_VOICE_CALL_EVENT_PATH}/status|amd|recording}.
     */
    public CompletableFuture<String> placeCall(String to, CallOptions options) {
        return request(Channel.VOICE, to, "", options.asParameters());
    }

    private CompletableFuture<String> request(Channel channel, String to, String firstMessage,
                                              Map<String, String> callOptions) {
        if (outbound == null) {
            throw new IllegalStateException(name() + " is not started");
        }
        OutboundEvent event = Outreach.request(EventIds.random(), EventIds.newTraceId(), channel,
                Objects.requireNonNull(to, "to"), firstMessage, callOptions);
        return send(event);
    }

    /** Writes a request to tac.outbound.v1; completes with its id once Kafka has it. */
    private CompletableFuture<String> send(OutboundEvent event) {
        CompletableFuture<String> done = new CompletableFuture<>();
        outbound.send(new ProducerRecord<>(Topic.OUTBOUND.topicName(),
                event.getConversationId(), event), (metadata, error) -> {
                    if (error != null) {
                        done.completeExceptionally(error);
                    } else {
                        done.complete(event.getEventId());
                    }
                });
        return done;
    }

    /**
     * Waits until the group has assigned this worker its partitions (and, with {@code onIntelligence}, the CI group
     * its partitions of tac.ci.v1); handy in tests and health checks.
     */
    public boolean awaitAssignment(Duration timeout) throws InterruptedException {
        return consumer.awaitAssignment(timeout) && (intelligence == null || intelligence.awaitAssignment(timeout));
    }

    /** How many partitions of tac.agent.v1 this worker owns now. */
    public int assignedPartitions() {
        return consumer == null ? 0 : consumer.assignment().size();
    }

    /** Stops: running callbacks may finish (shutdown timeout), their replies are flushed, the rest is handed back. */
    @Override
    public synchronized void close() {
        if (consumer == null || closed) {
            return;
        }
        closed = true;
        if (intelligence != null) {
            intelligence.close(config.shutdownTimeout());
        }
        consumer.close(config.shutdownTimeout());
        pool.shutdownNow();
        scheduler.shutdownNow();
        outbound.close(Duration.ofSeconds(5));
        deadLetters.close(Duration.ofSeconds(5));
        try {
            pool.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("Agent {} stopped", config.groupId());
    }

    /** Builds a {@link SwitchboardAgent}: one message callback (required) and any of the others. */
    public static final class Builder {
        private final Map<String, String> env;
        private final Map<String, String> overrides = new HashMap<>();
        private final Map<String, Object> consumerOverrides = new HashMap<>();
        private Tracing tracing = Tracing.OFF;
        private MessageHandler blocking;
        private AsyncMessageHandler async;
        private ReplyingMessageHandler replying;
        private InterruptHandler interrupt;
        private DtmfHandler dtmf;
        private EndedHandler ended;
        private HandoffFailedHandler handoffFailed;
        private IntelligenceHandler intelligence;
        private CallStartedHandler callStarted;
        private CallStatusHandler callStatus;
        private AmdHandler amd;
        private RecordingHandler recording;
        private MeterRegistry registry = Metrics.globalRegistry;

        private Builder(Map<String, String> env) {
            this.env = Map.copyOf(env);
        }

        /** The consumer group (default: {@code SWITCHBOARD_AGENT_GROUP_ID}, else "switchboard-agent"). */
        public Builder groupId(String groupId) {
            overrides.put(AgentConfig.GROUP_ID, groupId);
            return this;
        }

        /** Kafka bootstrap servers (default: {@code KAFKA_BOOTSTRAP_SERVERS}, else localhost:9092). */
        public Builder bootstrapServers(String servers) {
            overrides.put(KafkaSettings.BOOTSTRAP_SERVERS, servers);
            return this;
        }

        /** Handler threads (default: {@code SWITCHBOARD_AGENT_CONCURRENCY}, else 1000). */
        public Builder concurrency(int threads) {
            overrides.put(AgentConfig.CONCURRENCY, Integer.toString(threads));
            return this;
        }

        /** Retries of a failing callback before its dead letter (default: {@code SWITCHBOARD_AGENT_RETRIES}, else 2). */
        public Builder retries(int retries) {
            overrides.put(AgentConfig.RETRIES, Integer.toString(retries));
            return this;
        }

        /** Any other setting of {@link AgentConfig}, by its environment variable name. */
        public Builder setting(String name, String value) {
            overrides.put(name, value);
            return this;
        }

        /**
         * A Kafka consumer property that overrides Switchboard's defaults (e.g. {@code max.poll.records};
         * {@code session.timeout.ms} only with {@code KAFKA_GROUP_PROTOCOL=classic}).
         */
        public Builder consumerProperty(String name, Object value) {
            consumerOverrides.put(name, value);
            return this;
        }

        /** Where metrics go (default: Micrometer's global registry). */
        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.registry = meterRegistry;
            return this;
        }

        /**
         * Where spans go: {@code process tac.agent.v1}, the handler, {@code send tac.outbound.v1}, retrieveMemory
         * (default: {@link Tracing#OFF}; a process's own {@code Tracing.fromEnv} follows the OTEL_* variables).
         */
        public Builder tracing(Tracing tracing) {
            this.tracing = java.util.Objects.requireNonNull(tracing, "tracing");
            return this;
        }

        /** A blocking callback that returns the reply text (or null for none). */
        public Builder onMessageReady(MessageHandler handler) {
            clearMessageHandlers();
            this.blocking = handler;
            return this;
        }

        /** A callback that answers through {@link Reply}: explicit {@code sendResponse}, streams. */
        public Builder onMessageReady(ReplyingMessageHandler handler) {
            clearMessageHandlers();
            this.replying = handler;
            return this;
        }

        /** An asynchronous callback whose stage yields the reply text (or null). */
        public Builder onMessageReadyAsync(AsyncMessageHandler handler) {
            clearMessageHandlers();
            this.async = handler;
            return this;
        }

        public Builder onInterrupt(InterruptHandler handler) {
            this.interrupt = handler;
            return this;
        }

        /**
         * A call connected (ConversationRelay {@code setup}), before its first prompt (TAC TypeScript's
         * {@code onSetup}); it may greet, set the language or play audio through the {@link Reply} it gets.
         */
        public Builder onCallStarted(CallStartedHandler handler) {
            this.callStarted = handler;
            return this;
        }

        /** Twilio's call status callbacks of the agent's calls (TAC's call events; see {@link CallOptions}). */
        public Builder onCallStatus(CallStatusHandler handler) {
            this.callStatus = handler;
            return this;
        }

        /** Asynchronous answering machine detection results (TAC's call events; {@link CallOptions#asyncAmd}). */
        public Builder onAmd(AmdHandler handler) {
            this.amd = handler;
            return this;
        }

        /** Recording status callbacks (TAC's call events; {@link CallOptions#record}). */
        public Builder onRecording(RecordingHandler handler) {
            this.recording = handler;
            return this;
        }

        public Builder onDtmf(DtmfHandler handler) {
            this.dtmf = handler;
            return this;
        }

        public Builder onConversationEnded(EndedHandler handler) {
            this.ended = handler;
            return this;
        }

        /** A messaging handoff did not happen (TAC's {@code handoff_failed}); the agent keeps the conversation. */
        public Builder onHandoffFailed(HandoffFailedHandler handler) {
            this.handoffFailed = handler;
            return this;
        }

        /**
         * Conversation Intelligence operator results ({@code tac.ci.v1}, fed by ingress's {@code /ci-webhook}); read
         * by a consumer group of its own, {@code <group id>-ci}, only when this callback is registered.
         */
        public Builder onIntelligence(IntelligenceHandler handler) {
            this.intelligence = handler;
            return this;
        }

        private void clearMessageHandlers() {
            blocking = null;
            async = null;
            replying = null;
        }

        /** Validates the settings (a bad one fails naming its variable) and builds the agent; nothing connects yet. */
        public SwitchboardAgent build() {
            Callbacks callbacks = new Callbacks(blocking, async, replying, interrupt, dtmf, ended, intelligence,
                    handoffFailed, callStarted, callStatus, amd, recording);
            if (!callbacks.hasMessageHandler()) {
                throw new IllegalStateException("An agent needs onMessageReady(...)");
            }
            Map<String, String> merged = new HashMap<>(env);
            merged.putAll(overrides);
            AgentConfig config = AgentConfig.fromEnv(merged);
            if (!config.kafka().classicGroupProtocol()) {
                for (String classicOnly : List.of("session.timeout.ms", "heartbeat.interval.ms")) {
                    if (consumerOverrides.containsKey(classicOnly)) {
                        // Kafka would refuse it on the poll thread, after start() returned: say so here
                        throw new IllegalArgumentException(classicOnly + " is set by the broker under the consumer "
                                + "group protocol (KIP-848, KAFKA_GROUP_PROTOCOL=consumer, the default): set "
                                + "group.consumer." + classicOnly + " on the brokers, or KAFKA_GROUP_PROTOCOL=classic");
                    }
                }
            }
            return new SwitchboardAgent(config, callbacks, registry, consumerOverrides, tracing);
        }
    }
}
