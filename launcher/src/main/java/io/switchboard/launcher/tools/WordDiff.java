package io.switchboard.launcher.tools;

import java.util.ArrayList;
import java.util.List;

/** A word-level diff of two texts: unchanged words as they are, {@code [-removed-]} and {@code {+added+}}. */
final class WordDiff {
    private WordDiff() {
    }

    static String diff(String before, String after) {
        String[] a = words(before);
        String[] b = words(after);
        int[][] lcs = new int[a.length + 1][b.length + 1];
        for (int i = a.length - 1; i >= 0; i--) {
            for (int j = b.length - 1; j >= 0; j--) {
                lcs[i][j] = a[i].equals(b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<String> out = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> added = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.length || j < b.length) {
            if (i < a.length && j < b.length && a[i].equals(b[j])) {
                flush(out, removed, added);
                out.add(a[i]);
                i++;
                j++;
            } else if (j < b.length && (i == a.length || lcs[i][j + 1] >= lcs[i + 1][j])) {
                added.add(b[j++]);
            } else {
                removed.add(a[i++]);
            }
        }
        flush(out, removed, added);
        return String.join(" ", out);
    }

    private static void flush(List<String> out, List<String> removed, List<String> added) {
        if (!removed.isEmpty()) {
            out.add("[-" + String.join(" ", removed) + "-]");
            removed.clear();
        }
        if (!added.isEmpty()) {
            out.add("{+" + String.join(" ", added) + "+}");
            added.clear();
        }
    }

    static boolean sameWords(String before, String after) {
        return String.join(" ", words(before)).equals(String.join(" ", words(after)));
    }

    private static String[] words(String text) {
        String t = text == null ? "" : text.trim();
        return t.isEmpty() ? new String[0] : t.split("\\s+");
    }
}
