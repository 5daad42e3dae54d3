package io.github.geminiimagebatch.quota;

import java.time.Instant;
import java.util.Locale;

/**
 * The request rate for 429s that name no limit (AIMD), off until the first such 429: halved on each
 * throttling event (never below one request a minute), grown on each success by a fiftieth of the
 * rate it had before the last decrease, capped at twice the rate actually observed (so idle time
 * does not build up a rate that was never tested). Not thread-safe: {@link ProviderQuota} guards it.
 */
final class AdaptiveRate {

    static final double DECREASE = 0.5;
    static final double MIN_PER_SECOND = 1.0 / 60;
    static final double INCREASE_DIVISOR = 50;

    /** Requests per second allowed; 0 while off. */
    private double perSecond;
    private double beforeLastDecrease;

    boolean on() {
        return perSecond > 0;
    }

    /** The earliest next admission after one at {@code last}, or null while off (or nothing was admitted). */
    Instant earliestAfter(Instant last) {
        return on() && last != null ? last.plus(Durations.ofSeconds(1 / perSecond)) : null;
    }

    String describe() {
        double perMinute = perSecond * 60;
        String rate = perMinute >= 10 ? String.valueOf(Math.round(perMinute)) : String.format(Locale.ROOT, "%.1f", perMinute);
        return "adaptive pacing at " + rate + " requests/min after 429s without quota details";
    }

    /** A throttling event: half of the lower of the rate in force and the {@code observed} one. */
    void decrease(double observed) {
        double current = on() ? Math.min(perSecond, Math.max(observed, MIN_PER_SECOND)) : observed;
        beforeLastDecrease = Math.max(current, MIN_PER_SECOND);
        perSecond = Math.max(MIN_PER_SECOND, current * DECREASE);
    }

    /** A success, with the rate {@code observed} over the last minute. */
    void increase(double observed) {
        if (!on()) {
            return;
        }
        double step = Math.max(MIN_PER_SECOND, beforeLastDecrease / INCREASE_DIVISOR);
        double ceiling = Math.max(2 * observed, beforeLastDecrease);
        perSecond = Math.max(perSecond, Math.min(perSecond + step, ceiling));
    }

    /** Starts from a rate an earlier run learned, unless one is in force already. */
    void remember(LearnedLimits.AdaptiveRate rate) {
        if (rate != null && !on()) {
            perSecond = Math.max(MIN_PER_SECOND, rate.requestsPerSecond());
            beforeLastDecrease = Math.max(MIN_PER_SECOND, rate.beforeLastDecrease());
        }
    }

    /** As it stands at {@code now}, or null while off. */
    LearnedLimits.AdaptiveRate learned(Instant now) {
        return on() ? new LearnedLimits.AdaptiveRate(perSecond, beforeLastDecrease, now) : null;
    }

    /** Requests per minute, or null while off. */
    Double perMinute() {
        return on() ? perSecond * 60 : null;
    }
}
