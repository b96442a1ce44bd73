package io.switchboard.logging;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks customer addresses before they reach a log line or an export: phone numbers keep their last two digits
 * (`+1415*****09`), e-mail addresses their domain. Channel prefixes such as `whatsapp:` are kept.
 */
public final class Redaction {
    private static final Pattern PHONE = Pattern.compile("\\+?\\d[\\d ()-]{6,}\\d");
    private static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9._%+-]+@([A-Za-z0-9.-]+\\.[A-Za-z]{2,})");

    private Redaction() {
    }

    /** Masks every phone number and e-mail address found in free text. */
    public static String mask(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        Matcher phones = PHONE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (phones.find()) {
            phones.appendReplacement(out, Matcher.quoteReplacement(maskDigits(phones.group())));
        }
        phones.appendTail(out);
        return EMAIL.matcher(out).replaceAll("***@$1");
    }

    private static String maskDigits(String phone) {
        int digits = (int) phone.chars().filter(Character::isDigit).count();
        int keepHead = phone.startsWith("+") ? 4 : 3;
        int seen = 0;
        StringBuilder masked = new StringBuilder(phone.length());
        for (char c : phone.toCharArray()) {
            if (Character.isDigit(c)) {
                seen++;
                masked.append(seen < keepHead || seen > digits - 2 ? c : '*');
            } else {
                masked.append(c);
            }
        }
        return masked.toString();
    }
}
