package io.switchboard.outbound;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.events.Channel;
import io.switchboard.events.DeliveryStatus;
import io.switchboard.metrics.TaggedCounters;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The outbound sender's counters: delivery events by status, dead letters, voice frames by ingress instance,
 * duplicates dropped by channel, typing indicators by result. Each is registered once per tag value and cached, so
 * counting costs no registry look-up. Its Twilio calls and retries are counted by {@code TwilioApiMetrics}.
 */
final class OutboundMetrics {
    static final String DELIVERIES = "switchboard.outbound.deliveries";
    static final String DEAD_LETTERS = "switchboard.outbound.dead.letters";
    static final String VOICE_FRAMES = "switchboard.outbound.voice.frames";
    static final String DUPLICATES = "switchboard.outbound.duplicates";
    static final String TYPING_INDICATORS = "switchboard.outbound.typing.indicators";

    private final TaggedCounters counters;
    /** By ingress instance: the voice path's counter, found without formatting the instance per frame. */
    private final Map<Integer, Counter> voiceFrames = new ConcurrentHashMap<>();

    OutboundMetrics(MeterRegistry registry) {
        this.counters = new TaggedCounters(registry);
        deadLetters(); // at 0 from the start, so an alert's increase() sees the first dead letter
    }

    void delivery(DeliveryStatus status) {
        count(DELIVERIES, "status", status.name());
    }

    void deadLetter() {
        deadLetters().increment();
    }

    private Counter deadLetters() {
        return counters.counter(DEAD_LETTERS, "Outbound events dead-lettered");
    }

    /** A voice frame routed to the egress partition of ingress instance {@code instance}. */
    void voiceFrame(int instance) {
        voiceFrames.computeIfAbsent(instance, i -> counters.counter(VOICE_FRAMES,
                "Voice frames routed to an ingress instance", "instance", i.toString())).increment();
    }

    void duplicate(Channel channel) {
        count(DUPLICATES, "channel", channel.name());
    }

    /** A typing indicator: {@code sent}, {@code failed} or {@code unsupported} (the channel has none). */
    void typingIndicator(String result) {
        count(TYPING_INDICATORS, "result", result);
    }

    private void count(String name, String tag, String value) {
        counters.counter(name, null, tag, value).increment();
    }
}
