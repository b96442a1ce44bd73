package io.switchboard.launcher.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.events.AgentEvent;
import io.switchboard.events.DeliveryEvent;
import io.switchboard.events.EndSession;
import io.switchboard.events.Handoff;
import io.switchboard.events.InboundEvent;
import io.switchboard.events.OutboundEvent;
import io.switchboard.events.Play;
import io.switchboard.events.Reply;
import io.switchboard.events.SendDigits;
import io.switchboard.events.SetLanguage;
import io.switchboard.events.agent.AgentDtmf;
import io.switchboard.events.agent.AgentInterrupt;
import io.switchboard.events.agent.ConversationEnded;
import io.switchboard.events.agent.MessageReady;
import io.switchboard.events.inbound.CallEnded;
import io.switchboard.events.inbound.CallStarted;
import io.switchboard.events.inbound.ConversationStateChanged;
import io.switchboard.events.inbound.Dtmf;
import io.switchboard.events.inbound.Interrupt;
import io.switchboard.events.inbound.MessageReceived;
import io.switchboard.events.inbound.Prompt;
import io.switchboard.events.inbound.RelayError;
import io.switchboard.launcher.tools.ConversationRecords.Decoded;
import io.switchboard.logging.Redaction;
import io.switchboard.topics.Topic;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A conversation in order: what the customer said (messages, final voice prompts, interrupts, DTMF, call start and
 * end), what the router handed the agent, what the agent answered (streamed tokens joined into one entry per reply,
 * placed at its first token) and what was delivered (one entry per reply, statuses counted). Ordered by record time,
 * ties by pipeline stage.
 */
final class Transcript {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Detail fields that may hold customer addresses; ids are never masked (a UUID can look like digits). */
    private static final Set<String> FREE_TEXT = Set.of("from", "to", "handoffData", "errorMessage");

    /** One line of a transcript. {@code detail} holds the kind's extra fields (ids, addresses, statuses). */
    static final class Entry {
        final Instant at;
        final Topic topic;
        final long offset;
        final String channel;
        final String kind;
        final String role;
        final StringBuilder text;
        final Map<String, Object> detail = new LinkedHashMap<>();

        Entry(Decoded record, String channel, String kind, String role, String text) {
            this.at = record.timestamp();
            this.topic = record.topic();
            this.offset = record.offset();
            this.channel = channel;
            this.kind = kind;
            this.role = role;
            this.text = new StringBuilder(text == null ? "" : text);
        }

        String text() {
            return text.toString();
        }

        Entry with(String name, Object value) {
            if (value != null) {
                detail.put(name, value instanceof CharSequence ? value.toString() : value);
            }
            return this;
        }
    }

    private final String conversationId;
    private final List<Entry> entries;

    private Transcript(String conversationId, List<Entry> entries) {
        this.conversationId = conversationId;
        this.entries = entries;
    }

    String conversationId() {
        return conversationId;
    }

    List<Entry> entries() {
        return entries;
    }

    static Transcript of(String conversationId, List<Decoded> records) {
        List<Decoded> sorted = new ArrayList<>(records);
        sorted.sort(Comparator.comparing(Decoded::timestamp).thenComparing(d -> d.topic().ordinal())
                .thenComparingLong(Decoded::offset));
        List<Entry> entries = new ArrayList<>();
        Map<String, Entry> replies = new HashMap<>();
        Map<String, String> replyOfOutbound = new HashMap<>();
        Map<String, Entry> deliveries = new HashMap<>();
        for (Decoded d : sorted) {
            Entry entry = switch (d.topic()) {
                case INBOUND -> inbound(d, (InboundEvent) d.value());
                case AGENT -> agent(d, (AgentEvent) d.value());
                case OUTBOUND -> outbound(d, (OutboundEvent) d.value(), replies, replyOfOutbound);
                case DELIVERY -> delivery(d, (DeliveryEvent) d.value(), replyOfOutbound, deliveries);
                default -> null;
            };
            if (entry != null) {
                entries.add(entry);
            }
        }
        return new Transcript(conversationId, entries);
    }

    private static Entry inbound(Decoded d, InboundEvent e) {
        Object p = e.getPayload();
        Entry entry;
        if (p instanceof MessageReceived m) {
            entry = new Entry(d, m.getChannel().name(), "message", "customer", m.getText())
                    .with("from", m.getAuthorAddress()).with("to", m.getRecipientAddress());
        } else if (p instanceof CallStarted c) {
            entry = new Entry(d, "VOICE", "call-started", "system", null).with("callSid", c.getCallSid())
                    .with("from", c.getFrom()).with("to", c.getTo()).with("direction", c.getDirection());
        } else if (p instanceof Prompt prompt) {
            if (!prompt.getLast()) {
                return null;
            }
            entry = new Entry(d, "VOICE", "prompt", "customer", prompt.getVoicePrompt()).with("turn", prompt.getTurn())
                    .with("lang", prompt.getLang());
        } else if (p instanceof Interrupt i) {
            entry = new Entry(d, "VOICE", "interrupt", "customer", i.getUtteranceUntilInterrupt())
                    .with("turn", i.getTurn()).with("durationUntilInterruptMs", i.getDurationUntilInterruptMs());
        } else if (p instanceof Dtmf dtmf) {
            entry = new Entry(d, "VOICE", "dtmf", "customer", dtmf.getDigit());
        } else if (p instanceof CallEnded c) {
            entry = new Entry(d, "VOICE", "call-ended", "system", c.getReason().name())
                    .with("handoffData", c.getHandoffData()).with("errorCode", c.getErrorCode());
        } else if (p instanceof ConversationStateChanged s) {
            entry = new Entry(d, "-", "state", "system", s.getStatus().name());
        } else if (p instanceof RelayError r) {
            entry = new Entry(d, "VOICE", "relay-error", "system", r.getDescription());
        } else {
            return null;
        }
        return entry.with("eventId", e.getEventId());
    }

    private static Entry agent(Decoded d, AgentEvent e) {
        String channel = e.getSession().getChannel().name();
        Object p = e.getPayload();
        Entry entry;
        if (p instanceof MessageReady m) {
            entry = new Entry(d, channel, "agent-message", "router", m.getText()).with("turn", m.getTurn())
                    .with("messageId", m.getMessageId());
        } else if (p instanceof AgentInterrupt i) {
            entry = new Entry(d, channel, "agent-interrupt", "router", i.getUtteranceUntilInterrupt())
                    .with("turn", i.getTurn());
        } else if (p instanceof AgentDtmf dtmf) {
            entry = new Entry(d, channel, "agent-dtmf", "router", dtmf.getDigit());
        } else if (p instanceof ConversationEnded end) {
            entry = new Entry(d, channel, "conversation-ended", "router", end.getReason().name())
                    .with("handoffData", end.getHandoffData());
        } else {
            return null;
        }
        return entry.with("eventId", e.getEventId());
    }

    private static Entry outbound(Decoded d, OutboundEvent e, Map<String, Entry> replies,
                                  Map<String, String> replyOfOutbound) {
        String channel = e.getSession().getChannel().name();
        Object p = e.getPayload();
        if (p instanceof Reply r) {
            String replyId = r.getReplyId();
            replyOfOutbound.put(e.getEventId(), replyId);
            Entry existing = replies.get(replyId);
            if (existing != null) {
                existing.text.append(r.getText());
                existing.detail.merge("tokens", 1, (a, b) -> (Integer) a + 1);
                if (r.getLast()) {
                    existing.with("completedAt", d.timestamp().toString());
                }
                return null;
            }
            Entry entry = new Entry(d, channel, "reply", "agent", r.getText()).with("replyId", replyId)
                    .with("inReplyTo", e.getInReplyTo()).with("turn", e.getTurn()).with("tokens", 1);
            if (r.getLast()) {
                entry.with("completedAt", d.timestamp().toString());
            }
            replies.put(replyId, entry);
            return entry;
        }
        Entry entry;
        if (p instanceof Play play) {
            entry = new Entry(d, channel, "play", "agent", play.getSource());
        } else if (p instanceof SendDigits digits) {
            entry = new Entry(d, channel, "send-digits", "agent", digits.getDigits());
        } else if (p instanceof SetLanguage lang) {
            entry = new Entry(d, channel, "set-language", "agent", lang.getTtsLanguage() + "/"
                    + lang.getTranscriptionLanguage());
        } else if (p instanceof EndSession end) {
            entry = new Entry(d, channel, "end-session", "agent", end.getHandoffData());
        } else if (p instanceof Handoff h) {
            entry = new Entry(d, channel, "handoff", "agent", h.getReason());
        } else {
            return null;
        }
        return entry.with("eventId", e.getEventId());
    }

    @SuppressWarnings("unchecked")
    private static Entry delivery(Decoded d, DeliveryEvent e, Map<String, String> replyOfOutbound,
                                  Map<String, Entry> deliveries) {
        String group = replyOfOutbound.getOrDefault(e.getOutboundEventId(), e.getOutboundEventId());
        Entry existing = deliveries.get(group);
        String status = e.getStatus().name();
        if (existing != null) {
            ((Map<String, Integer>) existing.detail.get("statuses")).merge(status, 1, Integer::sum);
            existing.text.setLength(0);
            existing.text.append(summary((Map<String, Integer>) existing.detail.get("statuses")));
            addTwilioId(existing, e.getTwilioId());
            return null;
        }
        Map<String, Integer> statuses = new TreeMap<>();
        statuses.put(status, 1);
        Entry entry = new Entry(d, e.getChannel().name(), "delivery", "system", summary(statuses))
                .with("outboundEventId", e.getOutboundEventId()).with("statuses", statuses)
                .with("errorCode", e.getErrorCode()).with("errorMessage", e.getErrorMessage());
        if (!group.equals(e.getOutboundEventId())) {
            entry.with("replyId", group);
        }
        addTwilioId(entry, e.getTwilioId());
        deliveries.put(group, entry);
        return entry;
    }

    private static void addTwilioId(Entry entry, CharSequence twilioId) {
        if (twilioId != null && !entry.detail.containsKey("twilioId")) {
            entry.with("twilioId", twilioId.toString());
        }
    }

    private static String summary(Map<String, Integer> statuses) {
        StringBuilder s = new StringBuilder();
        statuses.forEach((status, n) -> s.append(s.length() == 0 ? "" : ", ").append(status)
                .append(n > 1 ? " x" + n : ""));
        return s.toString();
    }

    // ---------------------------------------------------------------- rendering

    static String mask(String text, boolean redact) {
        return redact ? Redaction.mask(text) : text;
    }

    /** Human-readable: one line per entry. */
    String toText(boolean redact) {
        StringBuilder out = new StringBuilder("conversation ").append(conversationId).append('\n');
        for (Entry e : entries) {
            out.append(e.at).append("  ").append(pad(e.channel, 8)).append(pad(e.kind, 18)).append(pad(e.role, 9));
            String text = mask(e.text(), redact);
            if (!text.isEmpty()) {
                out.append('"').append(text.replace("\n", "\\n")).append('"');
            }
            List<String> extras = new ArrayList<>();
            for (Map.Entry<String, Object> d : e.detail.entrySet()) {
                if (List.of("from", "to", "turn", "tokens", "twilioId", "errorCode").contains(d.getKey())) {
                    String v = String.valueOf(d.getValue());
                    extras.add(d.getKey() + "=" + (FREE_TEXT.contains(d.getKey()) ? mask(v, redact) : v));
                }
            }
            if (!extras.isEmpty()) {
                out.append("  (").append(String.join(" ", extras)).append(')');
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** Machine-readable: {conversationId, entries: [{at, channel, kind, role, text, ...detail}]}. */
    ObjectNode toJson(boolean redact) {
        ObjectNode root = JSON.createObjectNode().put("conversationId", conversationId);
        ArrayNode list = root.putArray("entries");
        for (Entry e : entries) {
            ObjectNode node = list.addObject().put("at", e.at.toString()).put("channel", e.channel)
                    .put("kind", e.kind).put("role", e.role).put("text", mask(e.text(), redact))
                    .put("topic", e.topic.topicName()).put("offset", e.offset);
            for (Map.Entry<String, Object> d : e.detail.entrySet()) {
                Object v = d.getValue();
                if (v instanceof String s) {
                    node.put(d.getKey(), FREE_TEXT.contains(d.getKey()) ? mask(s, redact) : s);
                } else {
                    node.set(d.getKey(), JSON.valueToTree(v));
                }
            }
        }
        return root;
    }

    private static String pad(String s, int width) {
        StringBuilder b = new StringBuilder(s);
        while (b.length() < width) {
            b.append(' ');
        }
        return b.append(' ').toString();
    }
}
