package io.github.geminiimagebatch.quota;

import java.time.Duration;
import java.util.Objects;

/**
 * One quota: at most {@code permits} per {@code period}.
 *
 * <p>A calendar-day limit ({@code 1500/day}) is a counter that resets at midnight in the reset
 * zone, the way Google documents its per-day quotas. Every other limit is a sliding window: at
 * most {@code permits} in any span of {@code period}.
 */
public record Limit(long permits, Duration period, boolean calendarDay) {

    public Limit {
        Objects.requireNonNull(period, "period");
        if (permits < 1) {
            throw new IllegalArgumentException("a limit needs at least 1 permit, got " + permits);
        }
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("a limit needs a period longer than zero, got " + period);
        }
        if (calendarDay && !period.equals(Duration.ofDays(1))) {
            throw new IllegalArgumentException("a calendar-day limit has a period of one day, got " + period);
        }
    }

    public static Limit perCalendarDay(long permits) {
        return new Limit(permits, Duration.ofDays(1), true);
    }

    public static Limit sliding(long permits, Duration period) {
        return new Limit(permits, period, false);
    }

    /** The average spacing this limit allows between two permits: period / permits. */
    public Duration averageSpacing() {
        return period.dividedBy(permits);
    }

    /** The form a user writes: {@code 10/min}, {@code 1500/day}, {@code 10/6s}, {@code 20/1m30s}. */
    @Override
    public String toString() {
        return permits + "/" + (calendarDay ? "day" : DurationText.periodUnit(period));
    }
}
