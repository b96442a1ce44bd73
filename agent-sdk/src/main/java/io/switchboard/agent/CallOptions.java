package io.switchboard.agent;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TAC's options of an agent-placed call ({@link SwitchboardAgent#placeCall(String, CallOptions)}). Each asks Twilio
 * for a call event that ingress receives on {@code TWILIO_VOICE_CALL_EVENT_PATH} and the agent gets as a callback:
 * status events → {@code onCallStatus}, asynchronous AMD → {@code onAmd}, recording → {@code onRecording}.
 *
 * @param machineDetection {@code Enable} or {@code DetectMessageEnd} (answering machine detection), or null
 * @param asyncAmd         detect without holding the call: the result arrives as {@code onAmd}
 * @param record           record the call; its status arrives as {@code onRecording}
 * @param timeoutSeconds   how long the call may ring (Twilio's {@code Timeout}), or null
 * @param statusEvents     the call status events wanted ({@code initiated}, {@code ringing}, {@code answered},
 *                         {@code completed}); empty: no status callbacks
 */
public record CallOptions(String machineDetection, boolean asyncAmd, boolean record, Integer timeoutSeconds,
                          List<String> statusEvents) {
    public static final CallOptions NONE = new CallOptions(null, false, false, null, List.of());

    public CallOptions {
        statusEvents = List.copyOf(statusEvents);
    }

    public CallOptions withMachineDetection(String mode, boolean async) {
        return new CallOptions(mode, async, record, timeoutSeconds, statusEvents);
    }

    public CallOptions withRecording() {
        return new CallOptions(machineDetection, asyncAmd, true, timeoutSeconds, statusEvents);
    }

    public CallOptions withTimeout(int seconds) {
        return new CallOptions(machineDetection, asyncAmd, record, seconds, statusEvents);
    }

    public CallOptions withStatusEvents(String... events) {
        return new CallOptions(machineDetection, asyncAmd, record, timeoutSeconds, List.of(events));
    }

    /** As the outreach request carries them (see {@code Outreach.CALL_OPTION}). */
    Map<String, String> asParameters() {
        Map<String, String> options = new LinkedHashMap<>();
        if (machineDetection != null) {
            options.put("machineDetection", machineDetection);
        }
        if (asyncAmd) {
            options.put("asyncAmd", "true");
        }
        if (record) {
            options.put("record", "true");
        }
        if (timeoutSeconds != null) {
            options.put("timeout", Integer.toString(timeoutSeconds));
        }
        if (!statusEvents.isEmpty()) {
            options.put("statusEvents", String.join(" ", statusEvents));
        }
        return options;
    }
}
