package io.switchboard.memory.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How the local memory recognises a returning customer: by profile id when one is known, and by address, normalised
 * so that the same phone number matches on every channel ({@code whatsapp:+1 415-555-0100} = {@code +14155550100}).
 */
final class Addresses {
    private static final List<String> CHANNEL_PREFIXES = List.of("whatsapp:", "sms:", "mms:", "rcs:", "tel:", "voice:",
            "messenger:");
    private static final Pattern PHONE = Pattern.compile("\\+?[0-9 ()\\-.]{5,}");

    private Addresses() {
    }

    /** The address without its channel prefix, a phone number as {@code +digits}; null for null or blank. */
    static String normalize(String address) {
        if (address == null || address.isBlank()) {
            return null;
        }
        String a = address.strip().toLowerCase(Locale.ROOT);
        for (String prefix : CHANNEL_PREFIXES) {
            if (a.startsWith(prefix)) {
                a = a.substring(prefix.length()).strip();
                break;
            }
        }
        if (PHONE.matcher(a).matches()) {
            String digits = a.replaceAll("[^0-9]", "");
            return a.startsWith("+") ? "+" + digits : digits;
        }
        return a;
    }

    /** The store keys under which a customer's memory lives: its profile and its address, each when known. */
    static List<String> subjects(String profileId, String address) {
        List<String> subjects = new ArrayList<>(2);
        if (profileId != null && !profileId.isBlank()) {
            subjects.add("profile:" + profileId.strip());
        }
        String normalized = normalize(address);
        if (normalized != null) {
            subjects.add("addr:" + normalized);
        }
        return subjects;
    }
}
