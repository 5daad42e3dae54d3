package io.github.geminiimagebatch.quota;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The bookkeeping of one limit. A sliding limit keeps a log of admissions and counts those
 * younger than period + margin; a calendar-day limit keeps a counter for the current day in the
 * reset zone. Not thread-safe: {@link ProviderQuota} guards it.
 */
final class QuotaWindow {

    enum Unit {
        REQUESTS("requests"), IMAGES("images");

        final String label;

        Unit(String label) {
            this.label = label;
        }
    }

    /** One admission in the log; {@code ticket} names it so it can be moved when the request actually leaves. */
    private record Entry(Instant at, int weight, long ticket) {
    }

    final Unit unit;
    final Limit limit;
    /** Null for a configured limit; otherwise what taught it ("learned from 429 ..."). */
    final String learnedFrom;
    private final Duration span;
    private final ZoneId zone;
    private final ArrayDeque<Entry> log = new ArrayDeque<>();
    private long used;
    private LocalDate day;
    /** A sliding window that has been full since its log was last empty: its places come back one window later. */
    private boolean filledSinceEmpty;

    QuotaWindow(Unit unit, Limit limit, Duration margin, ZoneId zone, String learnedFrom) {
        this.unit = unit;
        this.limit = limit;
        this.learnedFrom = learnedFrom;
        this.span = limit.calendarDay() ? limit.period() : limit.period().plus(margin);
        this.zone = zone;
    }

    /** The earliest instant at which {@code weight} more fits; {@code now} if it fits now, MAX if never. */
    Instant earliestRoom(Instant now, int weight) {
        if (weight > limit.permits()) {
            return Instant.MAX;
        }
        long used = used(now);
        if (weight == 0 || used + weight <= limit.permits()) {
            return now;
        }
        if (limit.calendarDay()) {
            return DailyReset.next(now, zone);
        }
        long toFree = used + weight - limit.permits();
        long freed = 0;
        for (Entry entry : log) {
            freed += entry.weight;
            if (freed >= toFree) {
                return entry.at.plus(span);
            }
        }
        throw new IllegalStateException("window log holds less than it counts");
    }

    void record(Instant at, int weight, long ticket) {
        if (weight == 0) {
            return;
        }
        used(at);
        used += weight;
        if (!limit.calendarDay()) {
            log.addLast(new Entry(at, weight, ticket));
            filledSinceEmpty |= used >= limit.permits();
        }
    }

    /**
     * Whether {@code weight} more at {@code now} takes a place given back by a sliding window that
     * has been full since it was last empty, with at most a tenth of it (at least one place) free:
     * its places come back as its admissions one window earlier age out, in their spacing; a few
     * come back together when one of them was taken late. More room than that is a gap in the work
     * (a pause, nothing to send), and what follows is a batch again.
     */
    boolean givesPlaceBack(Instant now, int weight) {
        long free = limit.permits() - used(now);
        return !limit.calendarDay() && weight > 0 && filledSinceEmpty && free - weight < Spreading.givenBackAtOnce(limit.permits());
    }

    /**
     * The admission {@code ticket} left only at {@code sentAt} (no earlier than any admission in
     * the log): it stays in the server's window until sentAt + period, so it moves to the end of
     * the log. Re-counted if it had already aged out here. A calendar day counts it once either way.
     */
    void restamp(long ticket, Instant sentAt, int weight) {
        if (weight == 0 || limit.calendarDay()) {
            return;
        }
        used(sentAt);
        java.util.Iterator<Entry> newestFirst = log.descendingIterator();
        while (newestFirst.hasNext()) {
            Entry entry = newestFirst.next();
            if (entry.ticket == ticket) {
                newestFirst.remove();
                used -= entry.weight;
                break;
            }
        }
        record(sentAt, weight, ticket);
    }

    /** The admissions of a sliding window still counted at {@code now}, oldest first, one instant per unit of weight. */
    List<Instant> counted(Instant now) {
        used(now);
        List<Instant> counted = new ArrayList<>();
        for (Entry entry : log) {
            for (int i = 0; i < entry.weight; i++) {
                counted.add(entry.at);
            }
        }
        return counted;
    }

    /** Marks the calendar day as used up (the server said so). */
    void exhaustToday(Instant now) {
        used(now);
        used = Math.max(used, limit.permits());
    }

    /** How much of the limit is used at {@code now}, after dropping what aged out. */
    long used(Instant now) {
        if (limit.calendarDay()) {
            LocalDate today = now.atZone(zone).toLocalDate();
            if (!today.equals(day)) {
                day = today;
                used = 0;
            }
            return used;
        }
        while (!log.isEmpty() && !log.peekFirst().at.plus(span).isAfter(now)) {
            used -= log.removeFirst().weight;
        }
        filledSinceEmpty &= !log.isEmpty();
        return used;
    }

    /** For a calendar day the next reset; for a sliding window when its oldest admission ages out; null when empty. */
    Instant nextRelease(Instant now) {
        if (used(now) == 0) {
            return null;
        }
        return limit.calendarDay() ? DailyReset.next(now, zone) : log.peekFirst().at.plus(span);
    }

    boolean learned() {
        return learnedFrom != null;
    }

    /** "10/min" or "learned limit 10/1m0.6s". */
    String limitText() {
        return (learned() ? "learned limit " : "") + limit;
    }

    /** "10/min (requests)". */
    String describe() {
        return limitText() + " (" + unit.label + ")";
    }
}
