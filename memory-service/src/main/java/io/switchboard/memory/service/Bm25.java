package io.switchboard.memory.service;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Okapi BM25 (k1 = 1.2, b = 0.75) over a small corpus: the texts remembered for one customer. Tokens are lower-case
 * letter/digit runs without English stop words, with a light plural stemming ("refunds" matches "refund").
 */
final class Bm25 {
    static final double K1 = 1.2;
    static final double B = 0.75;

    private static final Set<String> STOP_WORDS = Set.of("a", "about", "an", "and", "are", "as", "at", "be", "been",
            "but", "by", "can", "could", "did", "do", "does", "for", "from", "had", "has", "have", "he", "her", "him",
            "his", "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "no", "not", "of", "on", "or", "our",
            "she", "so", "that", "the", "their", "them", "then", "there", "these", "they", "this", "to", "us", "was",
            "we", "were", "what", "when", "where", "which", "who", "why", "will", "with", "would", "you", "your",
            "yes", "hi", "hello", "please", "thanks", "thank", "im", "ive", "dont", "am", "just", "want", "like");

    private Bm25() {
    }

    static List<String> tokens(String text) {
        List<String> tokens = new ArrayList<>();
        if (text == null) {
            return tokens;
        }
        String folded = Normalizer.normalize(text, Normalizer.Form.NFKD).replaceAll("\\p{M}+", "")
                .replace("'", "").replace("\u2019", "").toLowerCase(Locale.ROOT);
        for (String raw : folded.split("[^\\p{L}\\p{N}]+")) {
            if (raw.isEmpty() || STOP_WORDS.contains(raw)) {
                continue;
            }
            tokens.add(stem(raw));
        }
        return tokens;
    }

    private static String stem(String token) {
        if (token.length() > 4 && token.endsWith("ies")) {
            return token.substring(0, token.length() - 3) + "y";
        }
        if (token.length() > 3 && token.endsWith("s") && !token.endsWith("ss") && !token.endsWith("us")) {
            return token.substring(0, token.length() - 1);
        }
        return token;
    }

    /** The BM25 score of every document for the query, in document order (0 for a document sharing no term). */
    static double[] scores(List<String> documents, String query) {
        int n = documents.size();
        double[] scores = new double[n];
        List<String> queryTerms = tokens(query).stream().distinct().toList();
        if (n == 0 || queryTerms.isEmpty()) {
            return scores;
        }
        List<Map<String, Integer>> termFrequencies = new ArrayList<>(n);
        Map<String, Integer> documentFrequency = new HashMap<>();
        int[] lengths = new int[n];
        long totalLength = 0;
        for (int i = 0; i < n; i++) {
            List<String> tokens = tokens(documents.get(i));
            Map<String, Integer> tf = new HashMap<>();
            tokens.forEach(t -> tf.merge(t, 1, Integer::sum));
            tf.keySet().forEach(t -> documentFrequency.merge(t, 1, Integer::sum));
            termFrequencies.add(tf);
            lengths[i] = tokens.size();
            totalLength += tokens.size();
        }
        double averageLength = Math.max(1.0, (double) totalLength / n);
        for (String term : queryTerms) {
            int df = documentFrequency.getOrDefault(term, 0);
            if (df == 0) {
                continue;
            }
            double idf = Math.log(1.0 + (n - df + 0.5) / (df + 0.5));
            for (int i = 0; i < n; i++) {
                int tf = termFrequencies.get(i).getOrDefault(term, 0);
                if (tf > 0) {
                    scores[i] += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * lengths[i] / averageLength));
                }
            }
        }
        return scores;
    }
}
