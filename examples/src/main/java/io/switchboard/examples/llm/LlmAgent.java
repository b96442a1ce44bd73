package io.switchboard.examples.llm;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.switchboard.agent.AgentTools;
import io.switchboard.agent.Ended;
import io.switchboard.agent.Interrupt;
import io.switchboard.agent.Message;
import io.switchboard.agent.Reply;
import io.switchboard.agent.Session;
import io.switchboard.agent.SwitchboardAgent;
import io.switchboard.agent.TokenStream;
import io.switchboard.events.Channel;
import io.switchboard.events.Memory;
import io.switchboard.tracing.Tracing;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent backed by any OpenAI-compatible chat-completions API. Each customer message is posted with
 * {@code "stream": true}; every content delta of the server-sent events goes straight into the reply's
 * {@link TokenStream}, so a caller hears the answer while it is generated (messaging channels get it as one message:
 * the SDK collects the tokens). An interrupt cancels the HTTP request at once: no further token is produced or paid
 * for. The last {@code LLM_HISTORY_TURNS} exchanges of each conversation are kept in memory and sent along; they are
 * dropped when the conversation ends.
 *
 * <p>The model is offered the SDK's ready-made tools ({@link AgentTools}): {@code handoff} where a handoff can reach a
 * human ({@link SwitchboardAgent#handoffAvailable}: voice, or messaging with a Studio flow configured; a failed one
 * is told to the customer and the model through {@code onHandoffFailed}),
 * {@code search_knowledge} when {@code TWILIO_KNOWLEDGE_BASE_ID} is set, {@code retrieve_memory} when
 * {@code SWITCHBOARD_MEMORY_URL} is. Its streamed {@code tool_calls} are assembled ({@link ToolCalls}), run through the
 * SDK ({@link ToolExecutor}), and their results sent back in a next request, for at most {@code LLM_MAX_TOOL_ROUNDS}
 * rounds; the last request offers no tools, so the model answers in words. A handoff ends the turn.
 *
 * <pre>{@code
 * OPENAI_BASE_URL=https://api.openai.com/v1 OPENAI_API_KEY=sk-... OPENAI_MODEL=gpt-4o-mini \
 *   java -jar switchboard.jar agent
 * }</pre>
 */
public final class LlmAgent {
    private static final Logger log = LoggerFactory.getLogger(LlmAgent.class);
    private static final String VOICE_NOTE = " The customer is on a phone call and hears your answer spoken: answer in"
            + " short plain sentences, without lists, markdown, emoji or URLs.";

    private final LlmConfig config;
    private final HttpClient http;
    private final ChatHistory history;
    /** The worker running this agent, for retrieveMemory; set once built. */
    private volatile SwitchboardAgent agent;

    /**
     * The LLM agent as a component, for an agent of your own that routes some messages to it: call {@link #answer},
     * {@link #interrupted} and {@link #ended} from its callbacks, and {@link #attach} it to the built worker so the
     * model may retrieve memory. {@link #create} does all of this for an agent that is only the LLM.
     */
    public LlmAgent(LlmConfig config) {
        this.config = config;
        // HTTP/2 where TLS negotiates it; plain-http local servers get HTTP/1.1 (no h2c upgrade attempt to trip on)
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .version("https".equals(config.chatCompletionsUri().getScheme())
                        ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
                .build();
        this.history = new ChatHistory(config.historyTurns());
    }

    /** The LLM agent on {@code builder}'s worker settings (KAFKA_BOOTSTRAP_SERVERS, SWITCHBOARD_AGENT_*). */
    public static SwitchboardAgent create(SwitchboardAgent.Builder builder, LlmConfig config) {
        LlmAgent llm = new LlmAgent(config);
        SwitchboardAgent agent = builder.onMessageReady(llm::answer)
                .onInterrupt(llm::interrupted)
                .onConversationEnded(llm::ended)
                .onHandoffFailed(llm::handoffFailed)
                .build();
        llm.attach(agent);
        log.info("LLM agent: model {} at {}, tools {}", config.model(), config.chatCompletionsUri(),
                config.maxToolRounds() == 0 ? "none" : llm.tools(null).stream()
                        .map(t -> ((JsonObject) t).getJsonObject("function").getString("name")).toList());
        return agent;
    }

    public static void main(String[] args) {
        SwitchboardAgent agent = create(SwitchboardAgent.builder().groupId("llm-agent"), LlmConfig.fromEnv(System.getenv()));
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "llm-agent-shutdown"));
        agent.start();
    }

    /**
     * Streams the model's answer into the reply, running the function calls it asks for in between (at most
     * {@code LLM_MAX_TOOL_ROUNDS} rounds, then it must answer in words); returns when the reply is complete, or at
     * once when interrupted.
     */
    public void answer(Message message, Session session, Memory memory, Reply reply) throws Exception {
        String conversationId = session.conversationId();
        JsonArray messages = new JsonArray().add(chat("system", systemPrompt(session, memory)));
        for (ChatHistory.Turn past : history.turns(conversationId)) {
            messages.add(chat("user", past.user()));
            String said = past.reply();
            if (!said.isEmpty()) {
                messages.add(chat("assistant", said));
            }
        }
        messages.add(chat("user", message.text()));
        ChatHistory.Turn turn = history.begin(conversationId, message.text());

        TokenStream stream = reply.stream();
        StringBuilder said = new StringBuilder();
        ToolExecutor executor = new ToolExecutor(reply, stream, config.knowledgeSearch(),
                agent != null && agent.config().memoryUrl() != null ? query -> agent.retrieveMemory(session, query) : null);
        for (int round = 0; ; round++) {
            boolean offerTools = round < config.maxToolRounds();
            EventStream events = new EventStream(stream, turn, said);
            if (!complete(request(messages, offerTools ? tools(session.channel()) : null), events, stream)) {
                return; // interrupted: nothing more is said
            }
            if (!offerTools || events.toolCalls.isEmpty()) {
                break;
            }
            messages.add(events.toolCalls.assistantMessage(events.roundText()));
            for (ToolCalls.Call call : events.toolCalls.calls()) {
                ToolExecutor.Outcome outcome = executor.execute(call);
                if (outcome.handedOff()) {
                    return; // a human has the conversation now; the executor ended the reply before handing off
                }
                messages.add(ToolCalls.resultMessage(call, outcome.content()));
            }
            if (reply.isCancelled()) {
                return;
            }
        }
        stream.end();
    }

    /** The worker this agent answers for: its retrieveMemory backs the retrieve_memory tool. */
    public void attach(SwitchboardAgent agent) {
        this.agent = agent;
        if (config.knowledgeSearch() != null) {
            config.knowledgeSearch().traceWith(agent.tracing()); // its searches nest under the handler's span
        }
    }

    /**
     * The tools this agent offers on {@code channel}: handoff where it can reach a human (null channel: wherever it
     * can), knowledge search and memory retrieval when configured.
     */
    JsonArray tools(Channel channel) {
        JsonArray tools = new JsonArray();
        if (agent == null || agent.handoffAvailable(channel == null ? Channel.VOICE : channel)) {
            tools.add(new JsonObject(AgentTools.HANDOFF.asOpenAiFunction()));
        }
        if (config.knowledgeSearch() != null) {
            tools.add(new JsonObject(AgentTools.KNOWLEDGE_SEARCH.asOpenAiFunction()));
        }
        if (agent != null && agent.config().memoryUrl() != null) {
            tools.add(new JsonObject(AgentTools.MEMORY_RETRIEVAL.asOpenAiFunction()));
        }
        return tools;
    }

    private HttpRequest request(JsonArray messages, JsonArray tools) {
        JsonObject body = new JsonObject().put("model", config.model()).put("stream", true).put("messages", messages);
        if (tools != null && !tools.isEmpty()) {
            body.put("tools", tools);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(config.chatCompletionsUri())
                .timeout(config.requestTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
        if (config.apiKey() != null) {
            request.header("Authorization", "Bearer " + config.apiKey());
        }
        return request.build();
    }

    /** One streamed completion into {@code events}; false when the reply was interrupted or cancelled meanwhile. */
    private boolean complete(HttpRequest request, EventStream events, TokenStream stream) throws Exception {
        // the model call as a CLIENT span under the handler's (GenAI conventions: chat <model>), with the time to
        // the first token as an event; never the prompt or the answer
        SwitchboardAgent attached = agent;
        Tracing tracing = attached == null ? Tracing.OFF : attached.tracing();
        Span span = !tracing.enabled() ? Span.getInvalid()
                : tracing.tracer().spanBuilder("chat " + config.model()).setSpanKind(SpanKind.CLIENT)
                        .setAttribute("gen_ai.operation.name", "chat")
                        .setAttribute("gen_ai.request.model", config.model())
                        .setAttribute("http.request.method", "POST")
                        .startSpan();
        events.span = span;
        events.finished.whenComplete((v, error) -> {
            if (error != null) {
                span.setStatus(StatusCode.ERROR, error.getClass().getSimpleName());
            }
            span.end();
        });
        CompletableFuture<HttpResponse<String>> call = http.sendAsync(request, info -> info.statusCode() / 100 == 2
                ? BodySubscribers.fromLineSubscriber(events, s -> "", StandardCharsets.UTF_8, null)
                : BodySubscribers.ofString(StandardCharsets.UTF_8));
        call.whenComplete((response, error) -> {
            if (error != null) {
                events.finished.completeExceptionally(error);
            } else if (response.statusCode() / 100 != 2) {
                events.finished.completeExceptionally(new IOException("The chat-completions API answered "
                        + response.statusCode() + ": " + abbreviate(response.body())));
            } else {
                events.finished.complete(null);
            }
        });
        try {
            events.finished.get();
        } catch (InterruptedException e) {
            // the SDK interrupts this thread when the caller interrupts: hang up on the API, send nothing more
            events.cancel();
            call.cancel(true);
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            events.cancel();
            if (stream.isCancelled()) {
                return false;
            }
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        return !stream.isCancelled();
    }

    /**
     * TAC's {@code handoff_failed}: the transfer did not happen and the conversation stays here. The customer is told,
     * and the exchange goes into the history so the model knows on the next message.
     */
    public String handoffFailed(Session session, String reason) {
        String apology = "I'm sorry, I could not transfer you to a person right now. I'm still here to help.";
        history.begin(session.conversationId(), "(The transfer to a human agent failed: " + reason + ")").said(apology);
        log.warn("Handoff of {} failed: {}", session.conversationId(), reason);
        return apology;
    }

    /** What the caller heard before interrupting is what the model said, as far as the history is concerned. */
    public void interrupted(Session session, Interrupt interrupt) {
        history.heard(session.conversationId(), interrupt.utteranceUntilInterrupt());
    }

    public void ended(Session session, Ended ended) {
        history.forget(session.conversationId());
    }

    private String systemPrompt(Session session, Memory memory) {
        return MemoryPrompt.compose(session.isVoice() ? config.systemPrompt() + VOICE_NOTE : config.systemPrompt(), memory);
    }

    private static JsonObject chat(String role, String content) {
        return new JsonObject().put("role", role).put("content", content);
    }

    private static String abbreviate(String text) {
        return text == null ? "" : text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    /**
     * Reads the server-sent events of a streamed completion ({@code data: {...}} lines, then {@code data: [DONE]})
     * and sends every content delta; cancels the HTTP exchange once the reply is cancelled.
     */
    static final class EventStream implements Flow.Subscriber<String> {
        final CompletableFuture<Void> finished = new CompletableFuture<>();
        /** The model call's span: its first token is an event on it. */
        volatile Span span = Span.getInvalid();
        private boolean firstToken = true;
        final ToolCalls toolCalls = new ToolCalls();
        private final TokenStream stream;
        private final ChatHistory.Turn turn;
        /** Everything said for this customer message, across tool rounds. */
        private final StringBuilder text;
        private final StringBuilder roundText = new StringBuilder();
        private volatile Flow.Subscription subscription;
        private volatile boolean cancelled;

        EventStream(TokenStream stream, ChatHistory.Turn turn, StringBuilder text) {
            this.stream = stream;
            this.turn = turn;
            this.text = text;
        }

        /** What the model said in this completion (before asking for tools). */
        String roundText() {
            return roundText.toString();
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (cancelled) {
                s.cancel();
            } else {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(String line) {
            if (cancelled || !line.startsWith("data:")) {
                return; // blank separators, ": keep-alive" comments, "event:" / "id:" fields
            }
            String data = line.substring(5).trim();
            if (data.equals("[DONE]")) {
                finished.complete(null);
                return;
            }
            try {
                JsonObject chunk = new JsonObject(data);
                if (chunk.containsKey("error")) {
                    fail(new IOException("The chat-completions API reported an error: " + abbreviate(data)));
                    return;
                }
                JsonArray choices = chunk.getJsonArray("choices");
                JsonObject delta = choices == null || choices.isEmpty() ? null : choices.getJsonObject(0).getJsonObject("delta");
                if (delta == null) {
                    return;
                }
                toolCalls.add(delta.getJsonArray("tool_calls"));
                String content = delta.getString("content");
                if (content != null && !content.isEmpty()) {
                    if (firstToken) {
                        firstToken = false;
                        span.addEvent("first token");
                    }
                    if (!stream.send(content)) {
                        cancel(); // interrupted: stop the generation
                        return;
                    }
                    text.append(content);
                    roundText.append(content);
                    turn.said(text.toString());
                }
            } catch (DecodeException | ClassCastException e) {
                fail(new IOException("Unreadable chunk from the chat-completions API: " + abbreviate(data), e));
            }
        }

        @Override
        public void onError(Throwable error) {
            finished.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            finished.complete(null);
        }

        private void fail(Exception e) {
            cancel();
            finished.completeExceptionally(e);
        }

        void cancel() {
            cancelled = true;
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }
    }
}
