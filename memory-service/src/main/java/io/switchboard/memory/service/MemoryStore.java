package io.switchboard.memory.service;

import io.switchboard.config.InvalidConfigurationException;
import io.switchboard.twilio.OrchestratorClient;
import io.switchboard.twilio.Retrier;
import io.switchboard.twilio.TwilioCallException;

/**
 * Which Twilio Conversation Memory store the service uses, decided once at start as TAC's {@code TAC.__init__} does:
 * the {@code memoryStoreId} of the Conversation Orchestrator configuration ({@code GET
 * /v2/ControlPlane/Configurations/{id}}), unless {@code TWILIO_MEMORY_STORE_ID} overrides it. A fetch that fails or a
 * configuration without a store stops the start: running on with no store (or the local memory) would answer every
 * retrieval wrongly and quietly.
 *
 * @param id     the store id ({@code mem_store_...})
 * @param origin where it came from, for the start-up log line
 */
record MemoryStore(String id, String origin) {

    /** Blocking (one HTTP call, retried while Twilio answers 429/5xx): call it at start, never on an event loop. */
    static MemoryStore resolve(MemoryConfig config, OrchestratorClient orchestrator, Retrier retrier) {
        String configurationId = config.conversationConfigurationId();
        if (config.storeId() != null) {
            return new MemoryStore(config.storeId(), MemoryConfig.STORE_ID
                    + (configurationId != null ? " (overrides configuration " + configurationId + ")" : ""));
        }
        OrchestratorClient.Configuration configuration;
        try {
            configuration = retrier.call("v2.configurations.fetch", true,
                    () -> orchestrator.fetchConfiguration(configurationId)).value();
        } catch (Retrier.Exhausted e) {
            TwilioCallException last = e.last();
            String status = last.httpStatus() == null ? "no answer" : "HTTP " + last.httpStatus();
            throw new InvalidConfigurationException("Fetching the Conversation Orchestrator configuration "
                    + configurationId + " (" + MemoryConfig.CONVERSATION_CONFIGURATION_ID + ") failed: " + status + ", "
                    + last.getMessage() + ". Check the id and TWILIO_API_KEY / TWILIO_API_SECRET, or set "
                    + MemoryConfig.STORE_ID + ".", e);
        }
        if (configuration.memoryStoreId() == null) {
            throw new InvalidConfigurationException("The Conversation Orchestrator configuration " + configurationId
                    + " (" + MemoryConfig.CONVERSATION_CONFIGURATION_ID + ") has no memoryStoreId: attach a Memory store "
                    + "to it, or set " + MemoryConfig.STORE_ID + ".");
        }
        return new MemoryStore(configuration.memoryStoreId(), "memoryStoreId of configuration " + configurationId);
    }
}
