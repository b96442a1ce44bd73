package io.switchboard.bench;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * What happened to every request of one kind (voice prompts or messages) in one run: when it was sent, accepted,
 * first answered and fully answered, and how many replies it got. Histograms are computed at the end from these
 * timestamps, so a reply that overtakes its own acknowledgement is still counted (as 0 ms).
 */
final class Outcomes {
    /** Latencies up to a minute, three significant digits, in microseconds. */
    static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(1);

    static final class Entry {
        final long sentNs;
        final boolean measured;
        volatile long acceptedNs;
        volatile long firstNs;
        volatile long lastNs;
        final AtomicLong replies = new AtomicLong();

        Entry(long sentNs, boolean measured) {
            this.sentNs = sentNs;
            this.measured = measured;
        }
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong unknownReplies = new AtomicLong();

    Entry sent(String id, long sentNs, boolean measured) {
        Entry entry = new Entry(sentNs, measured);
        entries.put(id, entry);
        return entry;
    }

    Entry get(String id) {
        return entries.get(id);
    }

    /** A part of the reply to {@code id} arrived (the first one sets {@code firstNs}). */
    void token(String id, long atNs) {
        Entry entry = entries.get(id);
        if (entry != null && entry.firstNs == 0) {
            entry.firstNs = atNs;
        }
    }

    /** The whole reply to {@code id} arrived. */
    void replied(String id, long atNs) {
        Entry entry = entries.get(id);
        if (entry == null) {
            unknownReplies.incrementAndGet();
            return;
        }
        if (entry.replies.incrementAndGet() == 1) {
            if (entry.firstNs == 0) {
                entry.firstNs = atNs;
            }
            entry.lastNs = atNs;
        }
    }

    Summary summarize() {
        Histogram first = histogram();
        Histogram last = histogram();
        Histogram lastFromSent = histogram();
        long sent = 0;
        long accepted = 0;
        long lost = 0;
        long duplicates = 0;
        long measured = 0;
        for (Entry e : entries.values()) {
            sent++;
            if (e.acceptedNs != 0) {
                accepted++;
                if (e.measured) {
                    measured++;
                }
            }
            long n = e.replies.get();
            if (n == 0) {
                if (e.acceptedNs != 0) {
                    lost++; // acknowledged, never answered (an unacknowledged one is an error Twilio would retry)
                }
                continue;
            }
            duplicates += n - 1;
            if (e.measured) {
                long from = e.acceptedNs != 0 ? e.acceptedNs : e.sentNs;  // a reply may overtake its 200
                first.recordValue(micros(e.firstNs - from));
                last.recordValue(micros(e.lastNs - from));
                lastFromSent.recordValue(micros(e.lastNs - e.sentNs));
            }
        }
        return new Summary(sent, accepted, measured, lost, duplicates, errors.get(), unknownReplies.get(), first, last,
                lastFromSent);
    }

    private static long micros(long nanos) {
        return Math.min(HIGHEST_MICROS, Math.max(0, TimeUnit.NANOSECONDS.toMicros(nanos)));
    }

    private static Histogram histogram() {
        return new Histogram(HIGHEST_MICROS, 3);
    }

    /**
     * Counts and latency histograms (microseconds) of one run; {@code measured}: accepted after the warmup (the
     * requests the latency figures and the CPU per event are about).
     */
    record Summary(long sent, long accepted, long measured, long lost, long duplicates, long errors, long unknownReplies,
                   Histogram first, Histogram last, Histogram lastFromSent) {
        double ms(Histogram h, double percentile) {
            return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
        }
    }
}
