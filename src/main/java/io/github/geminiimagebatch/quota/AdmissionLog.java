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

    /** One admission; {@code at} is when it was admitted, then when it was sent. */
    static final class Entry {
        Instant at;
        final int images;
        final long ticket;
        boolean rejected;

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
                return entry.at;
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
