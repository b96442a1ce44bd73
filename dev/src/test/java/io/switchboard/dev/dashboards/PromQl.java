package io.switchboard.dev.dashboards;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The identifiers of a PromQL expression that must name something a scrape exports: each selector's metric with the
 * label names of its matchers, and the label names of {@code by}/{@code without}/{@code on}/{@code ignoring}/
 * {@code group_left}/{@code group_right} clauses. Function names, keywords, numbers, strings, durations and range
 * brackets (including Grafana's {@code $__rate_interval}) are skipped. A small tokenizer, not a full parser: enough
 * for the expressions of deploy/ (it fails loudly on what it does not understand).
 */
final class PromQl {
    /** A metric as selected: {@code name{label="..."}}; labels are the matchers' label names. */
    record Selector(String metric, Set<String> labels) {
    }

    /** What an expression uses: its selectors, and the label names it groups or matches by. */
    record Identifiers(List<Selector> selectors, Set<String> groupingLabels) {
    }

    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "inf", "nan");
    private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");

    private final String text;
    private int pos;

    private PromQl(String text) {
        this.text = text;
    }

    static Identifiers identifiers(String expression) {
        return new PromQl(expression).parse();
    }

    private Identifiers parse() {
        List<Selector> selectors = new ArrayList<>();
        Set<String> grouping = new LinkedHashSet<>();
        while (skipSpace()) {
            char c = text.charAt(pos);
            if (c == '"' || c == '\'' || c == '`') {
                string();
            } else if (c == '[') {
                pos = closing(']') + 1; // a range or subquery: durations and Grafana's $__ variables
            } else if (c == '{') {
                throw new IllegalArgumentException("a selector without a metric name at " + pos + ": " + text);
            } else if (Character.isDigit(c) || (c == '.' && pos + 1 < text.length()
                    && Character.isDigit(text.charAt(pos + 1)))) {
                number();
            } else if (isIdentifierStart(c)) {
                String word = identifier();
                skipSpace();
                boolean call = pos < text.length() && text.charAt(pos) == '(';
                if (GROUPING.contains(word)) {
                    if (call) {
                        grouping.addAll(labelList());
                    }
                } else if (call || aggregationClauseFollows()
                        || KEYWORDS.contains(word.toLowerCase(java.util.Locale.ROOT))) {
                    continue; // a function or aggregation (arguments parsed as they come) or an operator keyword
                } else {
                    Set<String> labels = new LinkedHashSet<>();
                    if (pos < text.length() && text.charAt(pos) == '{') {
                        labels.addAll(matcherLabels());
                    }
                    selectors.add(new Selector(word, labels));
                }
            } else {
                pos++; // an operator or a parenthesis
            }
        }
        return new Identifiers(selectors, grouping);
    }

    /** Whether {@code by} or {@code without} comes next: what came before is an aggregation, as in {@code sum by (x) (...)}. */
    private boolean aggregationClauseFollows() {
        int end = pos;
        while (end < text.length() && (isIdentifierStart(text.charAt(end)) || Character.isDigit(text.charAt(end)))) {
            end++;
        }
        String next = text.substring(pos, end);
        return next.equals("by") || next.equals("without");
    }

    /** At '(' of a grouping clause: the label names up to ')'. */
    private List<String> labelList() {
        List<String> labels = new ArrayList<>();
        pos++;
        while (skipSpace() && text.charAt(pos) != ')') {
            if (text.charAt(pos) == ',') {
                pos++;
            } else if (isIdentifierStart(text.charAt(pos))) {
                labels.add(identifier());
            } else {
                throw new IllegalArgumentException("unexpected '" + text.charAt(pos) + "' in a label list: " + text);
            }
        }
        pos++;
        return labels;
    }

    /** At '{': the label names of the matchers up to '}'. */
    private List<String> matcherLabels() {
        List<String> labels = new ArrayList<>();
        pos++;
        while (skipSpace() && text.charAt(pos) != '}') {
            char c = text.charAt(pos);
            if (c == ',') {
                pos++;
            } else if (isIdentifierStart(c)) {
                labels.add(identifier());
                skipSpace();
                while (pos < text.length() && "=!~".indexOf(text.charAt(pos)) >= 0) {
                    pos++;
                }
                skipSpace();
                string();
            } else {
                throw new IllegalArgumentException("unexpected '" + c + "' in a selector: " + text);
            }
        }
        pos++;
        return labels;
    }

    private void string() {
        char quote = text.charAt(pos);
        if (quote != '"' && quote != '\'' && quote != '`') {
            throw new IllegalArgumentException("a string expected at " + pos + ": " + text);
        }
        pos++;
        while (pos < text.length() && text.charAt(pos) != quote) {
            pos += text.charAt(pos) == '\\' && quote != '`' ? 2 : 1;
        }
        if (pos >= text.length()) {
            throw new IllegalArgumentException("an unterminated string: " + text);
        }
        pos++;
    }

    private void number() {
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '.'
                || ((text.charAt(pos) == '+' || text.charAt(pos) == '-')
                && (text.charAt(pos - 1) == 'e' || text.charAt(pos - 1) == 'E')))) {
            pos++;
        }
    }

    private String identifier() {
        int start = pos;
        while (pos < text.length() && (isIdentifierStart(text.charAt(pos)) || Character.isDigit(text.charAt(pos)))) {
            pos++;
        }
        return text.substring(start, pos);
    }

    private int closing(char close) {
        int end = text.indexOf(close, pos);
        if (end < 0) {
            throw new IllegalArgumentException("no '" + close + "' after " + pos + ": " + text);
        }
        return end;
    }

    /** Skips white space; false at the end. */
    private boolean skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
        return pos < text.length();
    }

    private static boolean isIdentifierStart(char c) {
        return Character.isLetter(c) || c == '_' || c == ':';
    }
}
