package io.github.geminiimagebatch.quota;

import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;

/**
 * Arithmetic for {@code plan} and ETAs: how long a number of requests takes under a provider's
 * limits, at the steady pace they allow.
 *
 * <p>Sliding limits set the pace: each request occupies a slot of the longest of W/N (requests)
 * and k x W/N (images, k per request). Calendar-day limits cap how many slots may start per day
 * in the start's zone (the reset zone); when a day is used up the plan waits for midnight. The
 * start day is assumed unused. The real run is about 1% slower than this: every window is
 * counted with a safety margin.
 */
public final class QuotaPlanner {

    private QuotaPlanner() {
    }

    /** The time from {@code start} until the last of {@code requests} is done; see {@link #plan}. */
    public static Duration timeNeeded(List<Limit> requestLimits, List<Limit> imageLimits, long requests,
                                      int imagesPerRequest, ZonedDateTime start) {
        return plan(requestLimits, imageLimits, requests, imagesPerRequest, start).timeNeeded();
    }

    /**
     * @throws IllegalArgumentException when a single request can never fit a limit (more images
     *                                  per request than an image limit allows)
     */
    public static QuotaPlan plan(List<Limit> requestLimits, List<Limit> imageLimits, long requests,
                                 int imagesPerRequest, ZonedDateTime start) {
        if (requests < 0 || imagesPerRequest < 0) {
            throw new IllegalArgumentException("requests and imagesPerRequest must not be negative");
        }
        double slotSeconds = 0;
        long perDay = Long.MAX_VALUE;
        for (Limit limit : requestLimits) {
            if (limit.calendarDay()) {
                perDay = Math.min(perDay, limit.permits());
            } else {
                slotSeconds = Math.max(slotSeconds, seconds(limit.period()) / limit.permits());
            }
        }
        for (Limit limit : imageLimits) {
            if (imagesPerRequest == 0) {
                continue;
            }
            if (imagesPerRequest > limit.permits()) {
                throw new IllegalArgumentException("a request of " + imagesPerRequest + " images can never fit the image limit "
                        + limit + "; raise the limit or ask for fewer images per request");
            }
            if (limit.calendarDay()) {
                perDay = Math.min(perDay, limit.permits() / imagesPerRequest);
            } else {
                slotSeconds = Math.max(slotSeconds, seconds(limit.period()) * imagesPerRequest / limit.permits());
            }
        }
        ZoneId zone = start.getZone();
        if (requests == 0) {
            return new QuotaPlan(Duration.ZERO, start, 0, 0);
        }
        double elapsedSeconds = 0;
        double lastSlotStart = 0;
        long remaining = requests;
        int resetsWaited = 0;
        while (true) {
            ZonedDateTime now = start.plus(toDuration(elapsedSeconds));
            ZonedDateTime dayEnd = now.toLocalDate().plusDays(1).atStartOfDay(zone);
            double untilDayEnd = seconds(Duration.between(now, dayEnd));
            long slotsToday = slotSeconds == 0 ? Long.MAX_VALUE : (long) Math.ceil(untilDayEnd / slotSeconds);
            long sent = Math.min(remaining, Math.min(perDay, slotsToday));
            remaining -= sent;
            lastSlotStart = elapsedSeconds + (sent - 1) * slotSeconds;
            elapsedSeconds += sent * slotSeconds;
            if (remaining == 0) {
                break;
            }
            double dayEndSeconds = seconds(Duration.between(start, dayEnd));
            if (sent == perDay && elapsedSeconds < dayEndSeconds) {
                resetsWaited++;
            }
            elapsedSeconds = Math.max(elapsedSeconds, dayEndSeconds);
        }
        Duration timeNeeded = toDuration(slotSeconds == 0 ? lastSlotStart : elapsedSeconds);
        ZonedDateTime finish = start.plus(timeNeeded);
        int crossed = 0;
        for (ZonedDateTime midnight = start.toLocalDate().plusDays(1).atStartOfDay(zone);
             !midnight.isAfter(finish); midnight = midnight.toLocalDate().plusDays(1).atStartOfDay(zone)) {
            crossed++;
        }
        return new QuotaPlan(timeNeeded, finish, resetsWaited, crossed);
    }

    private static double seconds(Duration duration) {
        return duration.getSeconds() + duration.getNano() / 1e9;
    }

    private static Duration toDuration(double seconds) {
        return Duration.ofMillis(Math.round(seconds * 1000));
    }
}
