package io.switchboard.memory.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.config.InternalToken;
import io.switchboard.config.InvalidConfigurationException;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoryConfigTest {
    static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
        env.put(InternalToken.NAME, "memory-config-test-token");
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void withoutTwilioCredentialsTheMemoryIsLocalWithTacDefaults() {
        MemoryConfig config = MemoryConfig.fromEnv(env());
        assertThat(config.provider()).isEqualTo(MemoryConfig.Provider.LOCAL);
        assertThat(config.observationsLimit()).isEqualTo(20);
        assertThat(config.summariesLimit()).isEqualTo(5);
        assertThat(config.communicationsLimit()).isZero();
        assertThat(config.relevanceThreshold()).isZero();
    }

    @Test
    void twilioCredentialsChooseTwilioMemoryOnTheRegionalHost() {
        MemoryConfig config = MemoryConfig.fromEnv(env("TWILIO_API_KEY", "SK1", "TWILIO_API_SECRET", "s",
                "TWILIO_MEMORY_STORE_ID", "mem_store_1", "TWILIO_REGION", "au1"));
        assertThat(config.provider()).isEqualTo(MemoryConfig.Provider.TWILIO);
        assertThat(config.twilio().endpoints().memory("/v1/Stores/mem_store_1"))
                .isEqualTo(URI.create("https://memory.au1.twilio.com/v1/Stores/mem_store_1"));
        assertThat(MemoryConfig.fromEnv(env()).twilio().endpoints().memory("/v1/Stores/mem_store_1"))
                .isEqualTo(URI.create("https://memory.twilio.com/v1/Stores/mem_store_1"));
    }

    @Test
    void anOrchestratorConfigurationChoosesTwilioMemoryAndSaysWhy() {
        MemoryConfig config = MemoryConfig.fromEnv(env("TWILIO_CONVERSATION_CONFIGURATION_ID", "conv_configuration_1",
                "TWILIO_API_KEY", "SK1", "TWILIO_API_SECRET", "s"));
        assertThat(config.provider()).isEqualTo(MemoryConfig.Provider.TWILIO);
        assertThat(config.twilio().memoryStoreId()).isNull(); // read from the configuration at start
        assertThat(config.providerReason()).isEqualTo("TWILIO_CONVERSATION_CONFIGURATION_ID is set");
        // API credentials alone (used by other services) do not make a Memory setup
        MemoryConfig keysOnly = MemoryConfig.fromEnv(env("TWILIO_API_KEY", "SK1", "TWILIO_API_SECRET", "s"));
        assertThat(keysOnly.provider()).isEqualTo(MemoryConfig.Provider.LOCAL);
        assertThat(keysOnly.providerReason()).contains("neither TWILIO_CONVERSATION_CONFIGURATION_ID nor TWILIO_MEMORY_STORE_ID");
        // an explicit local memory is allowed, and logged as chosen
        assertThat(MemoryConfig.fromEnv(env("SWITCHBOARD_MEMORY_PROVIDER", "local",
                "TWILIO_CONVERSATION_CONFIGURATION_ID", "conv_configuration_1")).providerReason())
                .isEqualTo("SWITCHBOARD_MEMORY_PROVIDER=local");
    }

    @Test
    void anIncompleteTwilioSetupIsNamedInsteadOfFallingBackToLocalMemory() {
        assertThatThrownBy(() -> MemoryConfig.fromEnv(env("TWILIO_MEMORY_STORE_ID", "mem_store_1")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("TWILIO_API_KEY")
                .hasMessageContaining("TWILIO_MEMORY_STORE_ID is set");
        assertThatThrownBy(() -> MemoryConfig.fromEnv(env("TWILIO_CONVERSATION_CONFIGURATION_ID", "conv_configuration_1",
                "TWILIO_API_KEY", "SK1"))).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("TWILIO_API_SECRET");
    }

    @Test
    void tacTypescriptsOperatorNamesAreAliases() {
        MemoryConfig tac = MemoryConfig.fromEnv(env("TWILIO_TAC_CI_SUMMARY_OPERATOR_SID", "LY1",
                "TWILIO_TAC_CI_OBSERVATION_OPERATOR_SID", "LY2"));
        assertThat(tac.summaryOperatorSid()).isEqualTo("LY1");
        assertThat(tac.observationOperatorSid()).isEqualTo("LY2");
        assertThat(tac.intelligenceEnabled()).isTrue();
        assertThat(MemoryConfig.fromEnv(env("TWILIO_TAC_CI_SUMMARY_OPERATOR_SID", "LY1",
                "CONVERSATION_INTELLIGENCE_SUMMARY_OPERATOR_SID", "LY3")).summaryOperatorSid()).isEqualTo("LY3");
    }

    @Test
    void aMissingOrInvalidSettingIsNamed() {
        assertThatThrownBy(() -> MemoryConfig.fromEnv(env("SWITCHBOARD_MEMORY_PROVIDER", "twilio", "TWILIO_API_KEY", "SK1",
                "TWILIO_API_SECRET", "s"))).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("TWILIO_MEMORY_STORE_ID");
        assertThatThrownBy(() -> MemoryConfig.fromEnv(env("TWILIO_MEMORY_OBSERVATIONS_LIMIT", "101")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("TWILIO_MEMORY_OBSERVATIONS_LIMIT");
        assertThatThrownBy(() -> MemoryConfig.fromEnv(env("SWITCHBOARD_MEMORY_PROVIDER", "redis")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("SWITCHBOARD_MEMORY_PROVIDER");
    }

    @Test
    void withoutTheInternalTokenTheMemoryServiceRefusesToStartNamingIt() {
        Map<String, String> none = env();
        none.remove(InternalToken.NAME);
        assertThatThrownBy(() -> MemoryConfig.fromEnv(none)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith(InternalToken.NAME + " is required");
        assertThatThrownBy(() -> MemoryConfig.fromEnv(env(InternalToken.NAME, "short-secret")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage(InternalToken.NAME + " is too short (12 characters): at least 16 are required");
    }
}
