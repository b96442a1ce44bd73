package io.switchboard.localtwilio;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Part of the local stand-in for Twilio's cloud that {@code dev}'s simulator and the tests run: Twilio's webhooks,
 * built from the real payload shapes and posted signed to a Switchboard ingress on loopback: Conversation
 * Orchestrator JSON (bodySHA256 scheme), Conversations v1 forms, the voice TwiML webhook and the ConversationRelay
 * action callback.
 *
 * <pre>{@code
 * TwilioWebhooks twilio = new TwilioWebhooks(vertx, port, authToken);
 * Response r = twilio.postJson("/webhook", TwilioWebhooks.communicationCreated("SMS", "conv_1", "comms_1", "+15559876543", "hi"));
 * }</pre>
 */
public final class TwilioWebhooks implements AutoCloseable {
    public static final String ACCOUNT_SID = "AC00000000000000000000000000000000";
    public static final String CUSTOMER = "+15559876543";
    public static final String AGENT_NUMBER = "+15551234567";

    /** How a request is signed. */
    public enum Signing { VALID, FORGED, NONE }

    /** What ingress answered. */
    public record Response(int status, String body, MultiMap headers) {
    }

    private final WebClient client;
    private final int port;
    private final String authToken;

    public TwilioWebhooks(Vertx vertx, int port, String authToken) {
        this.client = WebClient.create(vertx);
        this.port = port;
        this.authToken = authToken;
    }

    // ---- posting -------------------------------------------------------------------------------------------

    public Response postJson(String path, String body) {
        return postJson(path, body, Signing.VALID, Map.of());
    }

    /** POSTs JSON to {@code path} with {@code ?bodySHA256=} added and signed as Twilio does; extra headers allowed. */
    public Response postJson(String path, String body, Signing signing, Map<String, String> headers) {
        String pathWithHash = TwilioSignatures.withBodyHash(path, body);
        HttpRequest<Buffer> request = client.post(port, "127.0.0.1", pathWithHash)
                .putHeader("Content-Type", "application/json");
        headers.forEach(request::putHeader);
        sign(request, TwilioSignatures.signJson(token(signing), url(pathWithHash)), signing);
        return await(request.sendBuffer(Buffer.buffer(body)));
    }

    public Response postForm(String path, Map<String, String> form) {
        return postForm(path, form, Signing.VALID, Map.of());
    }

    /** POSTs a url-encoded form signed over the URL and the parameters. */
    public Response postForm(String path, Map<String, String> form, Signing signing, Map<String, String> headers) {
        HttpRequest<Buffer> request = client.post(port, "127.0.0.1", path)
                .putHeader("Content-Type", "application/x-www-form-urlencoded");
        headers.forEach(request::putHeader);
        sign(request, TwilioSignatures.sign(token(signing), url(path), form), signing);
        return await(request.sendBuffer(Buffer.buffer(encode(form))));
    }

    /** POSTs a raw body with any content type, signed over the URL only (for malformed-body cases). */
    public Response postRaw(String path, String contentType, String body) {
        HttpRequest<Buffer> request = client.post(port, "127.0.0.1", path).putHeader("Content-Type", contentType);
        sign(request, TwilioSignatures.sign(authToken, url(path), Map.of()), Signing.VALID);
        return await(request.sendBuffer(Buffer.buffer(body)));
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    private String token(Signing signing) {
        return signing == Signing.FORGED ? authToken + "-forged" : authToken;
    }

    private static void sign(HttpRequest<Buffer> request, String signature, Signing signing) {
        if (signing != Signing.NONE) {
            request.putHeader("X-Twilio-Signature", signature);
        }
    }

    public static String encode(Map<String, String> form) {
        return form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private static Response await(io.vertx.core.Future<HttpResponse<Buffer>> future) {
        try {
            HttpResponse<Buffer> response = future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            return new Response(response.statusCode(), response.bodyAsString(), response.headers());
        } catch (Exception e) {
            throw new IllegalStateException("Webhook request failed: " + e, e);
        }
    }

    @Override
    public void close() {
        client.close();
    }

    // ---- Conversation Orchestrator JSON ---------------------------------------------------------------------

    /** {@code COMMUNICATION_CREATED}; channel as Twilio names it (SMS, WHATSAPP, RCS, CHAT). */
    public static String communicationCreated(String channel, String conversationId, String communicationId,
            String authorAddress, String text) {
        return communicationCreated(channel, conversationId, communicationId, authorAddress, "conv_participant_cust",
                agentAddress(channel), text);
    }

    public static String communicationCreated(String channel, String conversationId, String communicationId,
            String authorAddress, String authorParticipantId, String recipientAddress, String text) {
        JsonObject data = new JsonObject()
                .put("id", communicationId)
                .put("conversationId", conversationId)
                .put("accountId", ACCOUNT_SID)
                .put("author", new JsonObject().put("address", authorAddress).put("channel", channel)
                        .put("participantId", authorParticipantId))
                .put("content", new JsonObject().put("type", "TEXT").put("text", text))
                .put("recipients", new JsonArray().add(new JsonObject().put("address", recipientAddress)
                        .put("channel", channel).put("participantId", "conv_participant_agent")
                        .put("deliveryStatus", "DELIVERED")))
                .put("channelId", "SM" + communicationId.hashCode())
                .put("createdAt", "2026-11-24T10:15:30Z")
                .put("updatedAt", "2026-11-24T10:15:30Z");
        return new JsonObject().put("eventType", "COMMUNICATION_CREATED").put("timestamp", "2026-11-24T10:15:30.000Z")
                .put("data", data).encode();
    }

    // ---- Conversation Intelligence JSON (POST /ci-webhook) ---------------------------------------------------

    /**
     * A Conversation Intelligence webhook for {@code conversationId} with the given operator results (see
     * {@link #operatorResult}).
     */
    public static String intelligenceEvent(String configurationId, String conversationId, JsonObject... operatorResults) {
        JsonArray results = new JsonArray();
        for (JsonObject result : operatorResults) {
            results.add(result);
        }
        return new JsonObject().put("accountId", ACCOUNT_SID).put("conversationId", conversationId)
                .put("memoryStoreId", "mem_store_00000000000000000000000001")
                .put("intelligenceConfiguration", new JsonObject().put("id", configurationId)
                        .put("friendlyName", "Customer support").put("version", 3))
                .put("operatorResults", results).encode();
    }

    /**
     * One JSON operator result whose {@code result.payload} is {@code payload} (e.g. {@code {"observations":[{"content":
     * "…"}]}} or {@code {"summary":"…"}}), produced for a conversation between the customer {@code profileId} and an
     * AI agent (which has no profile).
     */
    public static JsonObject operatorResult(String id, String operatorId, String profileId, JsonObject payload) {
        return new JsonObject().put("id", id)
                .put("operator", new JsonObject().put("id", operatorId).put("friendlyName", "operator"))
                .put("outputFormat", "JSON")
                .put("result", new JsonObject().put("payload", payload))
                .put("dateCreated", "2026-11-24T10:20:00Z")
                .put("executionDetails", new JsonObject()
                        .put("trigger", new JsonObject().put("on", "CONVERSATION_END").put("timestamp", "2026-11-24T10:19:58Z"))
                        .put("participants", new JsonArray()
                                .add(new JsonObject().put("id", "conv_participant_cust").put("profileId", profileId)
                                        .put("type", "CUSTOMER"))
                                .add(new JsonObject().put("id", "conv_participant_agent").put("type", "AI_AGENT"))));
    }

    /** {@code CONVERSATION_UPDATED} with a status (ACTIVE, INACTIVE, CLOSED). */
    public static String conversationUpdated(String conversationId, String status) {
        JsonObject data = new JsonObject()
                .put("id", conversationId)
                .put("accountId", ACCOUNT_SID)
                .put("configurationId", "conv_configuration_01jd00000000000000000001")
                .put("status", status)
                .putNull("name")
                .put("createdAt", "2026-11-24T10:15:30Z")
                .put("updatedAt", "2026-11-24T10:45:30Z");
        return new JsonObject().put("eventType", "CONVERSATION_UPDATED").put("timestamp", "2026-11-24T10:45:30.000Z")
                .put("data", data).encode();
    }

    /** The agent's own address on a channel as the tests configure it. */
    public static String agentAddress(String channel) {
        return switch (channel) {
            case "WHATSAPP" -> "whatsapp:" + AGENT_NUMBER;
            case "RCS" -> "rcs:switchboard_agent";
            case "CHAT" -> "ai-assistant";
            default -> AGENT_NUMBER;
        };
    }

    // ---- Conversations v1 forms ------------------------------------------------------------------------------

    /** {@code onMessageAdded}; source as Twilio sends it (SMS, WHATSAPP, SDK, API…). */
    public static Map<String, String> messageAdded(String conversationSid, String messageSid, String author, String body,
            String source) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("EventType", "onMessageAdded");
        form.put("AccountSid", ACCOUNT_SID);
        form.put("ChatServiceSid", "IS00000000000000000000000000000000");
        form.put("ConversationSid", conversationSid);
        form.put("MessageSid", messageSid);
        form.put("Index", "0");
        form.put("Author", author);
        form.put("Body", body);
        form.put("Source", source);
        form.put("ParticipantSid", "MB00000000000000000000000000000001");
        form.put("Attributes", "{}");
        form.put("DateCreated", "2026-11-24T10:15:30.000Z");
        return form;
    }

    /** {@code onConversationStateUpdated} (states active, inactive, closed). */
    public static Map<String, String> conversationStateUpdated(String conversationSid, String from, String to) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("EventType", "onConversationStateUpdated");
        form.put("AccountSid", ACCOUNT_SID);
        form.put("ChatServiceSid", "IS00000000000000000000000000000000");
        form.put("ConversationSid", conversationSid);
        form.put("StateFrom", from);
        form.put("StateTo", to);
        form.put("DateUpdated", "2026-11-24T10:45:30.000Z");
        return form;
    }

    // ---- Voice -----------------------------------------------------------------------------------------------

    /** The voice webhook Twilio posts to {@code /twiml} for an incoming call. */
    public static Map<String, String> incomingCall(String callSid) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("CallSid", callSid);
        form.put("AccountSid", ACCOUNT_SID);
        form.put("From", CUSTOMER);
        form.put("To", AGENT_NUMBER);
        form.put("Direction", "inbound");
        form.put("CallStatus", "ringing");
        form.put("CallerCountry", "US");
        form.put("CallerState", "CA");
        form.put("CallerCity", "SAN FRANCISCO");
        return form;
    }

    /** The ConversationRelay action callback after the session ended; {@code handoffData} may be null. */
    /** Twilio's call status callback (StatusCallback) of an agent-placed call. */
    public static Map<String, String> callStatus(String callSid, String callStatus, int sequenceNumber) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("AccountSid", ACCOUNT_SID);
        form.put("ApiVersion", "2010-04-01");
        form.put("CallSid", callSid);
        form.put("CallStatus", callStatus);
        form.put("CallbackSource", "call-progress-events");
        form.put("Direction", "outbound-api");
        form.put("From", AGENT_NUMBER);
        form.put("To", CUSTOMER);
        form.put("SequenceNumber", Integer.toString(sequenceNumber));
        form.put("Timestamp", "Sat, 05 Dec 2026 12:00:0" + sequenceNumber + " +0000");
        if ("completed".equals(callStatus)) {
            form.put("CallDuration", "37");
            form.put("Duration", "1");
        }
        return form;
    }

    /** Twilio's asynchronous answering machine detection callback (AsyncAmdStatusCallback). */
    public static Map<String, String> amd(String callSid, String answeredBy) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("AccountSid", ACCOUNT_SID);
        form.put("CallSid", callSid);
        form.put("AnsweredBy", answeredBy);
        form.put("MachineDetectionDuration", "4210");
        return form;
    }

    /** Twilio's recording status callback (RecordingStatusCallback). */
    public static Map<String, String> recording(String callSid, String recordingSid, String status) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("AccountSid", ACCOUNT_SID);
        form.put("CallSid", callSid);
        form.put("RecordingSid", recordingSid);
        form.put("RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/" + ACCOUNT_SID + "/Recordings/" + recordingSid);
        form.put("RecordingStatus", status);
        form.put("RecordingDuration", "35");
        form.put("RecordingChannels", "1");
        form.put("RecordingStartTime", "Sat, 05 Dec 2026 12:00:02 +0000");
        form.put("RecordingSource", "OutboundAPI");
        form.put("RecordingTrack", "both");
        return form;
    }

    public static Map<String, String> relayCallback(String callSid, String sessionStatus, String handoffData) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("AccountSid", ACCOUNT_SID);
        form.put("CallSid", callSid);
        form.put("CallStatus", "in-progress");
        form.put("From", CUSTOMER);
        form.put("To", AGENT_NUMBER);
        form.put("Direction", "inbound");
        form.put("ApplicationSid", "");
        form.put("SessionId", "VX" + callSid.substring(Math.min(2, callSid.length())));
        form.put("SessionStatus", sessionStatus);
        form.put("SessionDuration", "42");
        if (handoffData != null) {
            form.put("HandoffData", handoffData);
        }
        return form;
    }
}
