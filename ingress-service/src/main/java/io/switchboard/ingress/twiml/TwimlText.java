package io.switchboard.ingress.twiml;

/**
 * What a TwiML attribute can carry: XML 1.0 characters only. A control character (other than tab, line feed and
 * carriage return) or an unpaired surrogate makes the whole answer invalid XML, which Twilio refuses, so the call
 * fails (found by {@code TwimlOptionsFuzzTest}).
 */
public final class TwimlText {
    private TwimlText() {
    }

    public static boolean isXmlText(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c) || c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0xFFFE || c == 0xFFFF) {
                return false;
            }
        }
        return true;
    }
}
