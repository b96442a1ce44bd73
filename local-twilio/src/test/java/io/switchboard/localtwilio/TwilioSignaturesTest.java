package io.switchboard.localtwilio;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The test vectors of the Twilio Java SDK's own tests (reference notes, "Signatures"). */
class TwilioSignaturesTest {
    private static final String URL = "https://mycompany.com/myapp.php?foo=1&bar=2";

    @Test
    void formRequestMatchesTwiliosVector() {
        Map<String, String> params = Map.of("Digits", "1234", "CallSid", "CA1234567890ABCDE", "To", "+18005551212",
                "Caller", "+14158675309", "From", "+14158675309");
        assertThat(TwilioSignatures.sign("12345", URL, params)).isEqualTo("RSOYDt4T1cUTdK1PDd93/VVr8B8=");
    }

    @Test
    void jsonRequestMatchesTwiliosVector() {
        String body = "{\"property\": \"value\", \"boolean\": true}";
        assertThat(TwilioSignatures.bodySha256(body))
                .isEqualTo("0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620");
        String url = TwilioSignatures.withBodyHash(URL, body);
        assertThat(url).isEqualTo(URL + "&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620");
        assertThat(TwilioSignatures.signJson("12345", url)).isEqualTo("a9nBmqA0ju/hNViExpshrM61xv4=");
    }

    @Test
    void anotherTokenGivesAnotherSignature() {
        assertThat(TwilioSignatures.sign("54321", URL, Map.of("Digits", "1234")))
                .isNotEqualTo(TwilioSignatures.sign("12345", URL, Map.of("Digits", "1234")));
    }
}
