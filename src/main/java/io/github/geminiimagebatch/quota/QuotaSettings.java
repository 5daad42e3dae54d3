package io.github.geminiimagebatch.quota;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;

/**
 * The quotas of one provider.
 *
 * @param requestLimits limits on requests (imagegen.provider.X.limits)
 * @param imageLimits   limits on images (imagegen.provider.X.imageLimits); a request of k images uses k
 * @param resetZone     where calendar days end (imagegen.quota.resetZone, Google: America/Los_Angeles)
 * @param windowMargin  fixed safety added to every sliding window; on top of it each window also
 *                      grows by 1% of its period, so a window of W is counted as W + margin + W/100
 */
public record QuotaSettings(List<Limit> requestLimits, List<Limit> imageLimits, ZoneId resetZone,
                            Duration windowMargin) {

    public static final ZoneId DEFAULT_RESET_ZONE = ZoneId.of("America/Los_Angeles");
    public static final Duration DEFAULT_WINDOW_MARGIN = Duration.ofMillis(50);

    public QuotaSettings {
        requestLimits = List.copyOf(Objects.requireNonNull(requestLimits, "requestLimits"));
        imageLimits = List.copyOf(Objects.requireNonNull(imageLimits, "imageLimits"));
        resetZone = resetZone == null ? DEFAULT_RESET_ZONE : resetZone;
        windowMargin = windowMargin == null ? DEFAULT_WINDOW_MARGIN : windowMargin;
        if (windowMargin.isNegative()) {
            throw new IllegalArgumentException("windowMargin must not be negative, got " + windowMargin);
        }
    }

    /** No configured limits: the provider is paced only by what its 429s teach. */
    public static QuotaSettings unlimited() {
        return new QuotaSettings(List.of(), List.of(), DEFAULT_RESET_ZONE, DEFAULT_WINDOW_MARGIN);
    }

    /** The given limits with the default reset zone and margin. */
    public static QuotaSettings of(List<Limit> requestLimits, List<Limit> imageLimits) {
        return new QuotaSettings(requestLimits, imageLimits, DEFAULT_RESET_ZONE, DEFAULT_WINDOW_MARGIN);
    }

    /** How much longer than {@code period} a sliding window is counted: windowMargin + 1% of the period. */
    public Duration marginFor(Duration period) {
        return windowMargin.plus(period.dividedBy(100));
    }
}
