package io.switchboard.memory.service;

import io.switchboard.events.Memory;
import io.switchboard.events.Observation;
import io.switchboard.events.PastCommunication;
import io.switchboard.events.Summary;
import io.switchboard.memory.MemoryQuery;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Orders what the local memory knows about a customer. Without a query: most recent first. With a query: by BM25
 * relevance over all of the customer's texts (observations and communications form one corpus), normalised to 0..1
 * by the best match, so that the relevance threshold reads "at least this fraction of the best match's relevance";
 * items sharing no term with the query score 0 and come last (after more recent ones), only when the threshold is 0.
 * Summaries come most recent first, whatever the query. Each list is cut at its limit.
 */
final class Ranking {
    private Ranking() {
    }

    static Memory rank(List<Observation> observations, List<Summary> summaries, List<PastCommunication> communications,
            MemoryQuery query, Limits limits) {
        return Memory.newBuilder(rankRelevant(observations, communications, query, limits))
                .setSummaries(recent(summaries, limits.summaries())).build();
    }

    /** Summaries, most recent first: one per conversation, they are few, and their order is what an agent wants. */
    private static List<Summary> recent(List<Summary> summaries, int limit) {
        List<Summary> sorted = new ArrayList<>(summaries);
        sorted.sort(Comparator.comparingLong((Summary s) -> s.getCreatedAtMillis() == null ? 0 : s.getCreatedAtMillis())
                .reversed());
        return sorted.subList(0, Math.min(limit, sorted.size()));
    }

    private static Memory rankRelevant(List<Observation> observations, List<PastCommunication> communications,
            MemoryQuery query, Limits limits) {
        if (!query.hasQuery()) {
            List<Observation> obs = new ArrayList<>(observations);
            obs.sort(Comparator.comparingLong((Observation o) -> time(o)).reversed());
            List<PastCommunication> comms = new ArrayList<>(communications);
            comms.sort(Comparator.comparingLong((PastCommunication c) -> time(c)).reversed());
            return Memory.newBuilder()
                    .setObservations(obs.subList(0, Math.min(limits.observations(), obs.size())))
                    .setCommunications(comms.subList(0, Math.min(limits.communications(), comms.size())))
                    .build();
        }
        List<String> corpus = new ArrayList<>(observations.size() + communications.size());
        observations.forEach(o -> corpus.add(o.getContent()));
        communications.forEach(c -> corpus.add(c.getText()));
        double[] raw = Bm25.scores(corpus, query.query());
        double best = 0;
        for (double s : raw) {
            best = Math.max(best, s);
        }
        double[] relevance = new double[raw.length];
        for (int i = 0; i < raw.length; i++) {
            relevance[i] = best > 0 ? raw[i] / best : 0;
        }
        double threshold = limits.relevanceThreshold();

        List<Scored<Observation>> obs = new ArrayList<>();
        for (int i = 0; i < observations.size(); i++) {
            Observation o = observations.get(i);
            if (keep(relevance[i], threshold)) {
                obs.add(new Scored<>(Observation.newBuilder(o).setScore(relevance[i]).build(), relevance[i], time(o)));
            }
        }
        List<Scored<PastCommunication>> comms = new ArrayList<>();
        for (int i = 0; i < communications.size(); i++) {
            double r = relevance[observations.size() + i];
            if (keep(r, threshold)) {
                comms.add(new Scored<>(communications.get(i), r, time(communications.get(i))));
            }
        }
        return Memory.newBuilder()
                .setObservations(best(obs, limits.observations()))
                .setCommunications(best(comms, limits.communications()))
                .build();
    }

    private static boolean keep(double relevance, double threshold) {
        return threshold <= 0 || (relevance > 0 && relevance >= threshold);
    }

    private static <T> List<T> best(List<Scored<T>> items, int limit) {
        items.sort(Comparator.<Scored<T>>comparingDouble(Scored::relevance).reversed()
                .thenComparing(Comparator.<Scored<T>>comparingLong(Scored::time).reversed()));
        return items.stream().limit(limit).map(Scored::item).toList();
    }

    private record Scored<T>(T item, double relevance, long time) {
    }

    private static long time(Observation o) {
        return o.getCreatedAtMillis() == null ? 0 : o.getCreatedAtMillis();
    }

    private static long time(PastCommunication c) {
        return c.getOccurredAtMillis() == null ? 0 : c.getOccurredAtMillis();
    }
}
