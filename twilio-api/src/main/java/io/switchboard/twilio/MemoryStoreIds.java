package io.switchboard.twilio;

/**
 * Which Conversation Memory store a deployment uses, as TAC finds it at start: the Orchestrator configuration's
 * {@code memoryStoreId} ({@code GET /v2/ControlPlane/Configurations/{id}}), unless {@code TWILIO_MEMORY_STORE_ID}
 * overrides it. Relay-only (no configuration) without an override has no store.
 */
public final class MemoryStoreIds {
    public static final String STORE_ID_SETTING = "TWILIO_MEMORY_STORE_ID";
    public static final String CONFIGURATION_SETTING = "TWILIO_CONVERSATION_CONFIGURATION_ID";

    private MemoryStoreIds() {
    }

    /**
     * The store id, or null when there is none (relay-only, or a configuration without a store). Throws
     * {@link IllegalStateException} naming the setting and the failed call when the configuration cannot be read:
     * a service must not start half-configured.
     */
    public static String resolve(OrchestratorClient orchestrator, String configurationId, String override) {
        if (override != null && !override.isBlank()) {
            return override.trim();
        }
        if (configurationId == null || configurationId.isBlank()) {
            return null;
        }
        try {
            return orchestrator.fetchConfiguration(configurationId).memoryStoreId();
        } catch (TwilioCallException e) {
            throw new IllegalStateException("Cannot read the Memory store of " + CONFIGURATION_SETTING + "="
                    + configurationId + ": GET /v2/ControlPlane/Configurations/" + configurationId + " failed ("
                    + (e.httpStatus() == null ? "no answer" : "HTTP " + e.httpStatus()) + ": " + e.getMessage()
                    + "); check the configuration id and the Twilio credentials (TWILIO_API_KEY/TWILIO_API_SECRET), or set "
                    + STORE_ID_SETTING, e);
        }
    }
}
