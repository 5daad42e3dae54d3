package io.github.geminiimagebatch.shared;

import java.util.Arrays;
import java.util.Locale;

/**
 * How this instance's shared admissions for one provider went, for the line {@link SharedState}
 * logs when the instance stops: how often Redis was asked and what it answered, how long an
 * admission took there and back, how late after the shared window had room an admission came, and
 * how long after its admission a request left. What a shortfall under the limit is made of.
 * Thread-safe.
 */
final class AdmissionTimings {

    private final Samples roundTrip = new Samples();
    private final Samples late = new Samples();
    private final Samples toSending = new Samples();
    private long asked;
    private long granted;
    private long waited;
    private long closed;
    private long unreachable;

    synchronized void granted(long roundTripNanos, long lateMillis) {
        asked++;
        granted++;
        roundTrip.add(roundTripNanos / 1_000_000);
        if (lateMillis >= 0) {
            late.add(lateMillis);
        }
    }

    synchronized void waited(long roundTripNanos) {
        asked++;
        waited++;
        roundTrip.add(roundTripNanos / 1_000_000);
    }

    synchronized void closed(long roundTripNanos) {
        asked++;
        closed++;
        roundTrip.add(roundTripNanos / 1_000_000);
    }

    synchronized void unreachable() {
        unreachable++;
    }

    synchronized void sent(long millisAfterAdmission) {
        if (millisAfterAdmission >= 0) {
            toSending.add(millisAfterAdmission);
        }
    }

    synchronized long granted() {
        return granted;
    }

    /** One sentence, e.g. "asked Redis 40 times (10 admitted, 30 told to wait, ...); ...". */
    synchronized String summary() {
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
                "asked Redis %d times (%d admitted, %d told to wait, %d closed), %d not asked while it was unreachable",
                asked, granted, waited, closed, unreachable));
        if (roundTrip.size() > 0) {
            text.append("; an admission took ").append(roundTrip.describe()).append(" there and back");
        }
        if (late.size() > 0) {
            text.append("; admitted ").append(late.describe()).append(" after the shared windows had room");
        }
        if (toSending.size() > 0) {
            text.append("; sent ").append(toSending.describe()).append(" after admission");
        }
        return text.toString();
    }

    /** Milliseconds; the first 100,000 of a run are kept. */
    private static final class Samples {
        private static final int KEPT = 100_000;
        private long[] values = new long[64];
        private int size;

        void add(long millis) {
            if (size == KEPT) {
                return;
            }
            if (size == values.length) {
                values = Arrays.copyOf(values, Math.min(KEPT, size * 2));
            }
            values[size++] = millis;
        }

        int size() {
            return size;
        }

        String describe() {
            long[] sorted = Arrays.copyOf(values, size);
            Arrays.sort(sorted);
            return String.format(Locale.ROOT, "a median %d ms (p90 %d ms, max %d ms, %d samples)",
                    sorted[(size - 1) / 2], sorted[(int) Math.ceil(0.9 * size) - 1], sorted[size - 1], size);
        }
    }
}
