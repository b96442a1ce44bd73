package io.switchboard.twilio;

import io.switchboard.config.InvalidConfigurationException;
import java.util.Optional;

/**
 * Which Twilio Conversation Memory store a deployment uses, decided once at start as TAC's {@code TAC.__init__} does:
 * the {@code memoryStoreId} of the Conversation Orchestrator configuration ({@code GET
 * /v2/ControlPlane/Configurations/{id}}), unless {@code TWILIO_MEMORY_STORE_ID} overrides it.
 *
 * @param id     the store id ({@code mem_store_...})
 * @param origin where it came from, for start-up log lines
 */
public record MemoryStore(String id, String origin) {
    public static final String STORE_ID_SETTING = "TWILIO_MEMORY_STORE_ID";
    public static final String CONFIGURATION_SETTING = "TWILIO_CONVERSATION_CONFIGURATION_ID";

    /**
     * The store, or empty when there is none: neither setting (relay-only), or a configuration without a store. A
     * configuration that cannot be read (after the retrier's tries) stops the start with an
     * {@link InvalidConfigurationException} naming the settings: a service must not run half-configured.
     * Blocking (one HTTP call, retried while Twilio answers 429/5xx): call it at start, never on an event loop.
     */
    public static Optional<MemoryStore> resolve(OrchestratorClient orchestrator, Retrier retrier, String configurationId,
                                                String override) {
        if (override != null && !override.isBlank()) {
            return Optional.of(new MemoryStore(override.trim(), STORE_ID_SETTING
                    + (configurationId != null ? " (overrides configuration " + configurationId + ")" : "")));
        }
        if (configurationId == null || configurationId.isBlank()) {
            return Optional.empty();
        }
        OrchestratorClient.Configuration configuration;
        try {
            configuration = retrier.call("v2.configurations.fetch", true,
                    () -> orchestrator.fetchConfiguration(configurationId)).value();
        } catch (Retrier.Exhausted e) {
            TwilioCallException last = e.last();
            String status = last.httpStatus() == null ? "no answer" : "HTTP " + last.httpStatus();
            throw new InvalidConfigurationException("Reading the Memory store of " + CONFIGURATION_SETTING + "="
                    + configurationId + " failed: GET /v2/ControlPlane/Configurations/" + configurationId + " → "
                    + status + " (" + last.getMessage() + "). Check the id and TWILIO_API_KEY / TWILIO_API_SECRET, or set "
                    + STORE_ID_SETTING + ".", e);
        }
        return Optional.ofNullable(configuration.memoryStoreId())
                .map(store -> new MemoryStore(store, "memoryStoreId of configuration " + configurationId));
    }
}
