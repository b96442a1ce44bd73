package io.switchboard.ids;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EventIdsTest {
    /** The test vector docs/CONTRACTS.md gives agents in other languages. */
    private static final String AGENT_EVENT = "0d7c7c6e-3a0f-3b53-9d5e-5a4e0c1f2b10";
    private static final String FIRST_OUT = "2fa57a2a-b489-34f1-8d65-caaede34427c";

    @Test
    void derivedIdsAreVersion3UuidsOfThePartsJoinedByTheUnitSeparator() {
        assertThat(EventIds.derived(AGENT_EVENT, "out", "0")).isEqualTo(FIRST_OUT);
        assertThat(EventIds.derived(AGENT_EVENT, "out", "1")).isNotEqualTo(FIRST_OUT);
        assertThat(EventIds.derived(AGENT_EVENT + "out", "0")).as("the separator keeps parts apart")
                .isNotEqualTo(FIRST_OUT);
    }

    @Test
    void theContractDocumentGivesTheSameTestVector() throws Exception {
        String contract = Files.readString(Path.of("../docs/CONTRACTS.md")).replaceAll("\\s+", " ");
        assertThat(contract).contains("`derived(\"" + AGENT_EVENT + "\", \"out\", \"0\")` = `" + FIRST_OUT + "`");
    }
}
