package io.switchboard.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class TwilioSettingsTest {
    private static ConfigDef all(boolean accountRequired) {
        return TwilioSettings.defineAll(new ConfigDef(), accountRequired);
    }

    @Test
    void fragmentsDeclareTacsNamesWithADocumentationEach() {
        ConfigDef def = all(false);
        assertThat(def.names()).containsExactlyInAnyOrder("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY",
                "TWILIO_API_SECRET", "TWILIO_REGION", "TWILIO_API_BASE_URL", "TWILIO_PHONE_NUMBER",
                "TWILIO_WHATSAPP_NUMBER", "TWILIO_RCS_SENDER_ID", "TWILIO_RCS_SENDER_IDS", "SWITCHBOARD_AGENT_IDENTITY",
                "TWILIO_CONVERSATION_CONFIGURATION_ID", "TWILIO_MEMORY_STORE_ID", "TWILIO_STUDIO_HANDOFF_FLOW_SID",
                "TWILIO_VOICE_PUBLIC_DOMAIN", "TWILIO_VOICE_TWIML_PATH", "TWILIO_VOICE_CALL_EVENT_PATH");
        assertThat(def.configKeys().values()).allSatisfy(key -> assertThat(key.documentation).isNotBlank());
        assertThat(def.configKeys().get(TwilioSettings.AUTH_TOKEN).type).isEqualTo(ConfigDef.Type.PASSWORD);
        assertThat(def.configKeys().get(TwilioSettings.API_SECRET).type).isEqualTo(ConfigDef.Type.PASSWORD);
        // a service cannot declare a shared setting a second time with a doc of its own
        assertThatThrownBy(() -> TwilioSettings.defineEndpoint(def)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("TWILIO_REGION");
    }

    @Test
    void aRequiredAccountFailsTheStartNamingIt() {
        assertThatThrownBy(() -> new AbstractConfig(all(true), Map.of(TwilioSettings.AUTH_TOKEN, "t")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(TwilioSettings.ACCOUNT_SID);
        assertThatThrownBy(() -> new AbstractConfig(all(true), Map.of(TwilioSettings.ACCOUNT_SID, "AC1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(TwilioSettings.AUTH_TOKEN);
        TwilioSettings optional = TwilioSettings.of(new AbstractConfig(all(false), Map.of()));
        assertThat(optional.accountSid()).isNull();
        assertThat(optional.authToken()).isNull();
    }

    @Test
    void gettersReadTheValuesSecretsAsTextAndBlankOrUndeclaredAsNull() {
        TwilioSettings twilio = TwilioSettings.of(new AbstractConfig(all(true), Map.of(
                TwilioSettings.ACCOUNT_SID, "AC1", TwilioSettings.AUTH_TOKEN, "token", TwilioSettings.API_KEY, "SK1",
                TwilioSettings.API_SECRET, "secret", TwilioSettings.REGION, " ",
                TwilioSettings.CONVERSATION_CONFIGURATION_ID, "conv_configuration_1",
                TwilioSettings.MEMORY_STORE_ID, "mem_store_1", TwilioSettings.STUDIO_HANDOFF_FLOW_SID, "FW1",
                TwilioSettings.VOICE_PUBLIC_DOMAIN, "abc.ngrok.app")));
        assertThat(twilio.accountSid()).isEqualTo("AC1");
        assertThat(twilio.authToken()).isEqualTo("token");
        assertThat(twilio.apiKey()).isEqualTo("SK1");
        assertThat(twilio.apiSecret()).isEqualTo("secret");
        assertThat(twilio.region()).isNull();
        assertThat(twilio.apiBaseUrl()).isNull();
        assertThat(twilio.conversationConfigurationId()).isEqualTo("conv_configuration_1");
        assertThat(twilio.memoryStoreId()).isEqualTo("mem_store_1");
        assertThat(twilio.studioHandoffFlowSid()).isEqualTo("FW1");
        assertThat(twilio.voicePublicDomain()).isEqualTo("abc.ngrok.app");
        assertThat(twilio.toString()).doesNotContain("token", "secret");

        // memory declares the API key, endpoint and Orchestrator only: the account reads as null, not as an error
        ConfigDef memory = TwilioSettings.defineOrchestrator(TwilioSettings.defineEndpoint(
                TwilioSettings.defineApiKey(new ConfigDef())));
        TwilioSettings memoryOnly = TwilioSettings.of(new AbstractConfig(memory, Map.of(TwilioSettings.API_KEY, "SK1")));
        assertThat(memoryOnly.accountSid()).isNull();
        assertThat(memoryOnly.apiKey()).isEqualTo("SK1");
    }

    @Test
    void theAgentIdentityDefaultsToTacs() {
        assertThat(new AbstractConfig(TwilioSettings.defineSenders(new ConfigDef()), Map.of())
                .getString(TwilioSettings.AGENT_IDENTITY)).isEqualTo("ai-assistant");
    }

    @Test
    void accessUsesTheApiKeyAndTheRegionOfEveryTwilioHost() {
        TwilioSettings twilio = TwilioSettings.of(new AbstractConfig(all(false), Map.of(
                TwilioSettings.ACCOUNT_SID, "AC1", TwilioSettings.AUTH_TOKEN, "token", TwilioSettings.API_KEY, "SK1",
                TwilioSettings.API_SECRET, "secret", TwilioSettings.REGION, "au1")));
        TwilioAccess access = twilio.access();
        assertThat(access.v2User()).isEqualTo("SK1");
        assertThat(access.v2Password()).isEqualTo("secret");
        assertThat(access.endpoints().conversations("/v2/Conversations"))
                .isEqualTo(URI.create("https://conversations.au1.twilio.com/v2/Conversations"));
        assertThat(twilio.endpoints().memory("/v1/Stores/s"))
                .isEqualTo(URI.create("https://memory.au1.twilio.com/v1/Stores/s"));

        TwilioSettings fake = TwilioSettings.of(new AbstractConfig(all(false), Map.of(
                TwilioSettings.API_BASE_URL, "http://127.0.0.1:8099/", TwilioSettings.REGION, "au1")));
        assertThat(fake.endpoints().redirected()).isTrue();
        assertThat(fake.endpoints().memory("/v1/Stores/s")).isEqualTo(URI.create("http://127.0.0.1:8099/v1/Stores/s"));
    }
}
