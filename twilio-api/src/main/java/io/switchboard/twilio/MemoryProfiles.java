package io.switchboard.twilio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Conversation Memory profiles of one store, as TAC resolves a customer it promotes from UNKNOWN: find by identifier
 * ({@code POST /v1/Stores/{store}/Profiles/Lookup {idType, value}} → {@code {normalizedValue, profiles: [ids]}}), else
 * create ({@code POST /v1/Stores/{store}/Profiles {"traits": {group: {field: value}}}}, an identity-resolving upsert
 * answering the canonical {@code id}). Blocking; failures are {@link TwilioCallException}s.
 */
public final class MemoryProfiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OrchestratorClient client;
    private final String storeId;
    private final String phoneTraitGroup;
    private final String phoneTraitField;

    public MemoryProfiles(OrchestratorClient client, String storeId, String phoneTraitGroup, String phoneTraitField) {
        this.client = client;
        this.storeId = storeId;
        this.phoneTraitGroup = phoneTraitGroup;
        this.phoneTraitField = phoneTraitField;
    }

    public String storeId() {
        return storeId;
    }

    /** The canonical ids of the profiles holding {@code value} as an {@code idType} identifier (may be empty). */
    public List<String> lookup(String idType, String value) {
        JsonNode body = client.sendToMemory("memory.profiles.lookup", "POST", base() + "/Lookup",
                JSON.createObjectNode().put("idType", idType).put("value", value));
        List<String> ids = new ArrayList<>();
        body.path("profiles").forEach(id -> ids.add(id.asText()));
        return ids;
    }

    /** Creates (or resolves to) the profile whose phone trait is {@code phone}; returns its id. */
    public String createWithPhone(String phone) {
        ObjectNode request = JSON.createObjectNode();
        request.putObject("traits").putObject(phoneTraitGroup).put(phoneTraitField, phone);
        String id = client.sendToMemory("memory.profiles.create", "POST", base(), request).path("id").asText(null);
        if (id == null || id.isBlank()) {
            throw new TwilioCallException(TwilioCallException.Kind.PERMANENT, null, null,
                    "Create profile answered without an id", null, null);
        }
        return id;
    }

    private String base() {
        return "/v1/Stores/" + OrchestratorClient.encode(storeId) + "/Profiles";
    }
}
