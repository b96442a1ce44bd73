package io.switchboard.outbound.messaging;

import com.twilio.http.HttpMethod;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.Call;
import com.twilio.rest.api.v2010.account.CallCreator;
import com.twilio.type.PhoneNumber;
import io.switchboard.channel.ChannelTraits;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Reply;
import io.switchboard.events.Session;
import io.switchboard.events.Source;
import io.switchboard.logging.Redaction;
import io.switchboard.outreach.Outreach;
import io.switchboard.twilio.OrchestratorClient;
import io.switchboard.twilio.OrchestratorClient.Address;
import io.switchboard.twilio.OrchestratorClient.Participant;
import io.switchboard.twilio.Retrier;
import io.switchboard.twilio.TwilioCallException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Agent-initiated conversations (see {@link io.switchboard.outreach.Outreach}), as TAC starts them. Messaging:
 * {@code POST /v2/Conversations} with the CUSTOMER and AI_AGENT participants inline (a 409 reuses the conversation
 * named by {@code X-Conflicting-Resource-Id}), then one {@code SEND_MESSAGE} per part of the first message; if the
 * send fails, a conversation created here is set {@code CLOSED}. Voice: the Calls API with {@code Url} = ingress's
 * {@code /twiml}, so the answered call connects to ConversationRelay like an inbound one.
 */
final class OutreachSender {
    private static final Logger log = LoggerFactory.getLogger(OutreachSender.class);

    private final OrchestratorClient client;
    private final OrchestratorSender orchestrator;
    private final TwilioRestClient sdk;
    private final Retrier retrier;
    private final String configurationId;
    private final String twimlUrl;
    private final String callEventUrl;

    OutreachSender(OrchestratorClient client, OrchestratorSender orchestrator, TwilioRestClient sdk, Retrier retrier,
                   String configurationId, String twimlUrl, String callEventUrl) {
        this.client = client;
        this.orchestrator = orchestrator;
        this.sdk = sdk;
        this.retrier = retrier;
        this.configurationId = configurationId;
        this.twimlUrl = twimlUrl;
        this.callEventUrl = callEventUrl;
    }

    /** twilioIds: the conversation id first, then the action ids. */
    SendResult startConversation(OutboundEvent event, String agentAddress) {
        Session request = event.getSession();
        String channel = request.getChannel().name();
        String customer = request.getFrom();
        if (agentAddress == null || customer == null) {
            return failed("Outbound " + channel + " conversation needs the agent's sender address and session.from (the customer)");
        }
        int[] attempts = {0};
        List<String> ids = new ArrayList<>();
        OrchestratorClient.Created created;
        try {
            Retrier.Attempted<OrchestratorClient.Created> done = retrier.call("v2.conversations.create", false,
                    () -> client.createOrReuseConversation(configurationId, List.of(
                            new Participant(null, "CUSTOMER", List.of(new Address(channel, customer))),
                            new Participant(null, "AI_AGENT", List.of(new Address(channel, agentAddress))))));
            attempts[0] += done.attempts();
            created = done.value();
        } catch (Retrier.Exhausted e) {
            return new SendResult(ids, e.attempts(), e.last().httpStatus(), e.last());
        }
        ids.add(created.conversationId());
        log.info("Outbound {} conversation {} {} for {}", channel, created.conversationId(),
                created.reused() ? "reused" : "created", Redaction.mask(customer));
        Session session = Session.newBuilder(request).setConversationId(created.conversationId())
                .setSource(Source.ORCHESTRATOR).setTo(agentAddress).setCustomParameters(Map.of()).build();
        List<String> parts = TextSplitter.split(((Reply) event.getPayload()).getText(),
                ChannelTraits.of(request.getChannel()).maxMessageLength());
        try {
            ids.addAll(orchestrator.send(session, channel, agentAddress, parts, attempts));
            return new SendResult(ids, attempts[0], 202, null);
        } catch (Retrier.Exhausted e) {
            if (!created.reused()) {
                try {
                    client.updateStatus(created.conversationId(), "CLOSED");
                    log.info("First message failed: conversation {} closed", created.conversationId());
                } catch (TwilioCallException closeFailed) {
                    log.warn("First message failed and conversation {} could not be closed: {}",
                            created.conversationId(), closeFailed.getMessage());
                }
            }
            return new SendResult(ids, attempts[0] + e.attempts(), e.last().httpStatus(), e.last());
        }
    }

    /** twilioIds: the call SID. */
    SendResult placeCall(OutboundEvent event, String agentNumber) {
        String customer = event.getSession().getFrom();
        if (agentNumber == null || customer == null || twimlUrl == null) {
            return failed("An outbound call needs TWILIO_PHONE_NUMBER, TWILIO_VOICE_PUBLIC_DOMAIN (or SWITCHBOARD_VOICE_TWIML_URL) and session.from (the callee)");
        }
        String url = twimlUrl;
        boolean wantsEvents = Outreach.callOption(event, "statusEvents") != null
                || "true".equals(Outreach.callOption(event, "asyncAmd")) || "true".equals(Outreach.callOption(event, "record"));
        if (wantsEvents && callEventUrl == null) {
            return failed("Call events need TWILIO_VOICE_PUBLIC_DOMAIN (or SWITCHBOARD_VOICE_CALL_EVENT_URL): Twilio would have nowhere to send them");
        }
        try {
            Retrier.Attempted<String> placed = retrier.call("api.calls.create", false, () -> TwilioCallException.sdkCall(
                    () -> withCallOptions(Call.creator(new PhoneNumber(customer), new PhoneNumber(agentNumber),
                            URI.create(url)).setMethod(HttpMethod.POST), event).create(sdk).getSid()));
            log.info("Outbound call {} placed to {}", placed.value(), Redaction.mask(customer));
            return new SendResult(List.of(placed.value()), placed.attempts(), 201, null);
        } catch (Retrier.Exhausted e) {
            return new SendResult(List.of(), e.attempts(), e.last().httpStatus(), e.last());
        }
    }

    /**
     * TAC's call options (see {@link Outreach#CALL_OPTION}) as the Calls API's parameters, each callback at ingress's
     * call event route: StatusCallback + StatusCallbackEvent, MachineDetection, AsyncAmd + AsyncAmdStatusCallback,
     * Record + RecordingStatusCallback, Timeout.
     */
    private CallCreator withCallOptions(CallCreator call, OutboundEvent event) {
        String statusEvents = Outreach.callOption(event, "statusEvents");
        if (statusEvents != null) {
            call.setStatusCallback(URI.create(callEventUrl + "/status")).setStatusCallbackMethod(HttpMethod.POST)
                    .setStatusCallbackEvent(List.of(statusEvents.trim().split("\\s+")));
        }
        String machineDetection = Outreach.callOption(event, "machineDetection");
        if (machineDetection != null) {
            call.setMachineDetection(machineDetection);
        }
        if ("true".equals(Outreach.callOption(event, "asyncAmd"))) {
            call.setAsyncAmd("true").setAsyncAmdStatusCallback(URI.create(callEventUrl + "/amd"))
                    .setAsyncAmdStatusCallbackMethod(HttpMethod.POST);
        }
        if ("true".equals(Outreach.callOption(event, "record"))) {
            call.setRecord(true).setRecordingStatusCallback(callEventUrl + "/recording");
        }
        String timeout = Outreach.callOption(event, "timeout");
        if (timeout != null) {
            call.setTimeout(Integer.valueOf(timeout));
        }
        return call;
    }

    private static SendResult failed(String reason) {
        return SendResult.refused(reason);
    }
}
