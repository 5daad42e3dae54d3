package io.github.geminiimagebatch.simulator;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;

/**
 * The quota configuration of a simulated project. A limit of {@link #UNLIMITED} is not enforced; a
 * limit of 0 rejects everything, like a free tier without quota for a model ("limit: 0").
 *
 * @param minuteLength length of the sliding "minute" windows (60 s on Google)
 * @param dayLength    length of fixed "day" windows starting when the ledger starts, or null for calendar
 *                     days ending at midnight in {@code resetZone}
 */
public record QuotaLimits(long requestsPerMinute, long requestsPerDay, long imagesPerMinute,
                          Duration minuteLength, Duration dayLength, ZoneId resetZone) {

    public static final long UNLIMITED = -1;

    public QuotaLimits {
        Objects.requireNonNull(minuteLength, "minuteLength");
        Objects.requireNonNull(resetZone, "resetZone");
        requireLimit("requests per minute", requestsPerMinute);
        requireLimit("requests per day", requestsPerDay);
        requireLimit("images per minute", imagesPerMinute);
        if (minuteLength.isNegative() || minuteLength.isZero()) {
            throw new IllegalArgumentException("The minute window must be longer than zero, got " + minuteLength);
        }
        if (dayLength != null && (dayLength.isNegative() || dayLength.isZero())) {
            throw new IllegalArgumentException("The day window must be longer than zero, got " + dayLength);
        }
    }

    private static void requireLimit(String name, long limit) {
        if (limit < UNLIMITED) {
            throw new IllegalArgumentException("The " + name + " limit must be 0 or more (or unset for no limit), got " + limit);
        }
    }
}
