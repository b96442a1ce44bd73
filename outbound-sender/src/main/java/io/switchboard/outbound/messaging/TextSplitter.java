package io.switchboard.outbound.messaging;

import java.util.ArrayList;
import java.util.List;

/** Splits a long reply into messages no longer than a channel's limit, at word boundaries, in order. */
final class TextSplitter {
    private TextSplitter() {
    }

    static List<String> split(String text, int limit) {
        List<String> parts = new ArrayList<>();
        String rest = text.strip();
        while (rest.length() > limit) {
            int cut = lastBreak(rest, limit);
            String part = rest.substring(0, cut).stripTrailing();
            parts.add(part);
            rest = rest.substring(cut).stripLeading();
        }
        if (!rest.isEmpty()) {
            parts.add(rest);
        }
        return parts;
    }

    /** The end of the last whole word that fits, or the limit itself when one word is longer than the limit. */
    private static int lastBreak(String text, int limit) {
        for (int i = limit; i > 0; i--) {
            if (Character.isWhitespace(text.charAt(i))) {
                int end = i;
                while (end > 0 && Character.isWhitespace(text.charAt(end - 1))) {
                    end--;
                }
                if (end > 0) {
                    return end;
                }
            }
        }
        // no whitespace: cut hard, but never between the two halves of a surrogate pair
        return Character.isLowSurrogate(text.charAt(limit)) ? limit - 1 : limit;
    }
}
