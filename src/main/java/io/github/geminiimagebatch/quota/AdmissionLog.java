package io.github.geminiimagebatch.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * A provider's recent admissions, newest last, each moved to when its request actually left: what
 * a window is learned from (the N-th most recent admission the server accepted) and what the
 * observed request rate is computed from. Kept for the longest window that can be learned plus a
 * minute. Not thread-safe: {@link ProviderQuota} guards it.
 */
final class AdmissionLog {

    private static final Duration SPAN = WindowLearning.LONGEST_LEARNED_WINDOW.plusMinutes(1);
    private static final int MAX_ENTRIES = 100_000;
    private static final Duration RATE_OBSERVATION = Duration.ofMinutes(1);

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();

    /**
     * One admission; {@code at} is when it was admitted, then when it was sent (for a cold process's first
     * call, then when it was answered: it may have reached the server any time before).
     */
    static final class Entry {
        Instant at;
        /** When it was sent, unmoved by a later answer; null until sent. */
        Instant sent;
        final int images;
        final long ticket;
        boolean rejected;

        /**
         * The time to measure a window from: when it was sent. A window learned from a later time (the
         * first call's answer) would come out short by that call's generation time, and a short window
         * is a 429 in every later window and in every run that starts from it; one learned from the
         * sending is at most the first connection's delay too long.
         */
        Instant measuredFrom() {
            return sent != null ? sent : at;
        }

        Entry(Instant at, int images, long ticket) {
            this.at = at;
            this.images = images;
            this.ticket = ticket;
        }
    }

    void add(Instant at, int images, long ticket) {
        entries.addLast(new Entry(at, images, ticket));
        Instant oldest = at.minus(SPAN);
        while (!entries.isEmpty() && (entries.size() > MAX_ENTRIES || entries.peekFirst().at.isBefore(oldest))) {
            entries.removeFirst();
        }
    }

    /**
     * The admission {@code ticket} left only at {@code now}: it moves there, to the end of the log.
     * Returns it, or null when the ticket is unknown or {@code now} is not later than its time.
     */
    Entry moveToNow(long ticket, Instant now) {
        Iterator<Entry> newestFirst = entries.descendingIterator();
        while (newestFirst.hasNext()) {
            Entry entry = newestFirst.next();
            if (entry.ticket != ticket) {
                continue;
            }
            if (entry.sent == null && !now.isBefore(entry.at)) {
                entry.sent = now;
            }
            if (!now.isAfter(entry.at)) {
                return null;
            }
            newestFirst.remove();
            entry.at = now;
            entries.addLast(entry);
            return entry;
        }
        return null;
    }

    /** When the n-th most recent admission the server accepted was made, counting images or requests; null when fewer. */
    Instant nthMostRecentAccepted(boolean images, long n) {
        long counted = 0;
        Iterator<Entry> newestFirst = entries.descendingIterator();
        while (newestFirst.hasNext()) {
            Entry entry = newestFirst.next();
            if (entry.rejected) {
                continue;
            }
            counted += images ? entry.images : 1;
            if (counted >= n) {
                return entry.measuredFrom();
            }
        }
        return null;
    }

    /**
     * The server did not count the request admitted with {@code ticket}: marks it and returns it, or,
     * when the ticket is unknown (or long gone from the log), marks the most recent admission instead
     * and returns null.
     */
    Entry markRejected(long ticket) {
        Iterator<Entry> newestFirst = entries.descendingIterator();
        while (newestFirst.hasNext()) {
            Entry entry = newestFirst.next();
            if (entry.ticket == ticket && !entry.rejected) {
                entry.rejected = true;
                return entry;
            }
        }
        markLatestRejected();
        return null;
    }

    /**
     * When the n-th most recent admission the server accepted before {@code refused} left was made: the
     * server refuses a request when the N it counted before that request's arrival fill the window, so
     * requests sent after it (still in flight, perhaps refused too) are no part of that count. Null
     * when fewer, or when {@code refused} is not in the log.
     */
    Instant nthAcceptedBefore(Entry refused, boolean images, long n) {
        long counted = 0;
        boolean passed = false;
        Iterator<Entry> newestFirst = entries.descendingIterator();
        while (newestFirst.hasNext()) {
            Entry entry = newestFirst.next();
            if (entry == refused) {
                passed = true;
                continue;
            }
            if (!passed || entry.rejected) {
                continue;
            }
            counted += images ? entry.images : 1;
            if (counted >= n) {
                return entry.measuredFrom();
            }
        }
        return null;
    }

    /**
     * The server did not count a throttled request. Which one it was is not known; a 429 comes
     * back fast while a generation takes seconds, so the most recent admission is the best guess.
     */
    void markLatestRejected() {
        Iterator<Entry> newestFirst = entries.descendingIterator();
        while (newestFirst.hasNext()) {
            Entry entry = newestFirst.next();
            if (!entry.rejected) {
                entry.rejected = true;
                return;
            }
        }
    }

    /** The admissions the server accepted, oldest first. */
    Iterable<Entry> accepted() {
        return () -> entries.stream().filter(entry -> !entry.rejected).iterator();
    }

    /** Admissions per second over the last minute (or since the first admission, if more recent). */
    double observedRatePerSecond(Instant now, double atLeast) {
        Instant from = now.minus(RATE_OBSERVATION);
        long count = 0;
        Instant earliest = null;
        Iterator<Entry> newestFirst = entries.descendingIterator();
        while (newestFirst.hasNext()) {
            Entry entry = newestFirst.next();
            if (!entry.at.isAfter(from)) {
                break;
            }
            count++;
            earliest = entry.at;
        }
        if (count == 0) {
            return atLeast;
        }
        Duration observedSpan = entries.peekFirst().at.isAfter(from) ? Duration.between(earliest, now) : RATE_OBSERVATION;
        return count / Math.max(1.0, observedSpan.toNanos() / 1e9);
    }
}
