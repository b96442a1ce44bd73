package io.switchboard.dev.dashboards;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** The series names of a Prometheus text exposition (what /metrics answers), each with every label name it carries. */
final class Exposition {
    private Exposition() {
    }

    /** Series name → the union of its samples' label names. */
    static Map<String, Set<String>> labelsByName(String text) {
        Map<String, Set<String>> series = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            Set<String> labels = series.computeIfAbsent(line.substring(0, end), k -> new TreeSet<>());
            if (end < line.length() && line.charAt(end) == '{') {
                labels.addAll(labelNames(line, end + 1));
            }
        }
        return series;
    }

    /** From just after '{': the label names up to the closing '}' (values are quoted, with \\ escapes). */
    private static Set<String> labelNames(String line, int from) {
        Set<String> names = new TreeSet<>();
        int pos = from;
        while (pos < line.length() && line.charAt(pos) != '}') {
            int eq = line.indexOf('=', pos);
            names.add(line.substring(pos, eq).trim());
            pos = eq + 2; // past ="
            while (line.charAt(pos) != '"') {
                pos += line.charAt(pos) == '\\' ? 2 : 1;
            }
            pos++;
            if (line.charAt(pos) == ',') {
                pos++;
            }
        }
        return names;
    }
}
