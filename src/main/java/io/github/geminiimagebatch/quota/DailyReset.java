package io.github.geminiimagebatch.quota;

import java.time.Instant;
import java.time.ZoneId;

/** Midnight in the reset zone, DST-correct: a day there may last 23 or 25 hours. */
public final class DailyReset {

    private DailyReset() {
    }

    /** The first midnight in {@code zone} strictly after {@code now}. */
    public static Instant next(Instant now, ZoneId zone) {
        return now.atZone(zone).toLocalDate().plusDays(1).atStartOfDay(zone).toInstant();
    }

    /** The last midnight in {@code zone} at or before {@code now}. */
    static Instant previous(Instant now, ZoneId zone) {
        return now.atZone(zone).toLocalDate().atStartOfDay(zone).toInstant();
    }
}
