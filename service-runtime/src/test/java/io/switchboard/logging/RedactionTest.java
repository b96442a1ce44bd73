package io.switchboard.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactionTest {
    @Test
    void masksPhoneNumbersKeepingPrefixAndLastDigits() {
        assertThat(Redaction.mask("from whatsapp:+14155550109 to +18005551212"))
                .isEqualTo("from whatsapp:+141******09 to +180******12");
    }

    @Test
    void masksEmailLocalPart() {
        assertThat(Redaction.mask("mail jane.doe@example.com now")).isEqualTo("mail ***@example.com now");
    }

    @Test
    void leavesTextWithoutAddressesAlone() {
        assertThat(Redaction.mask("order 12 ready at 5pm")).isEqualTo("order 12 ready at 5pm");
        assertThat(Redaction.mask(null)).isNull();
    }
}
