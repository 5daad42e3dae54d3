package io.github.geminiimagebatch.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a provider's 429s taught, with when, so that the next run starts at the learned pace
 * (see {@link ProviderQuota#remember}). Kept in outbox/.state/ by {@link LearnedLimitsFile}.
 *
 * @param windows        limits learned from 429s that stated their value (N/W, N/day)
 * @param adaptiveRate   the AIMD rate from 429s without details, or null when none was needed
 */
public record LearnedLimits(List<Window> windows, AdaptiveRate adaptiveRate) {

    /** Knowledge older than this is not used: tiers, shared quotas and gateways change. */
    public static final Duration REMEMBERED_FOR = Duration.ofHours(24);

    public static final LearnedLimits NONE = new LearnedLimits(List.of(), null);

    public LearnedLimits {
        windows = List.copyOf(Objects.requireNonNull(windows, "windows"));
    }

    /**
     * @param key       which quota it is (the unit and the server's quota id)
     * @param images    true for an images limit, false for requests
     * @param limit     the learned limit
     * @param learnedAt when the 429 that taught it came
     * @param counted   the admissions it still counted when it was kept, one instant per request or
     *                  image (sliding windows only): a run started right after this one counts them too
     */
    public record Window(String key, boolean images, Limit limit, Instant learnedAt, List<Instant> counted) {
        public Window {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(limit, "limit");
            Objects.requireNonNull(learnedAt, "learnedAt");
            counted = List.copyOf(counted);
        }
    }

    /**
     * @param requestsPerSecond      the rate in force
     * @param beforeLastDecrease     the rate before the last 429 halved it (its growth step is a fiftieth of this)
     * @param learnedAt              when it was last lowered by a 429, or last saved while growing
     */
    public record AdaptiveRate(double requestsPerSecond, double beforeLastDecrease, Instant learnedAt) {
        public AdaptiveRate {
            Objects.requireNonNull(learnedAt, "learnedAt");
        }
    }

    /** One line for logs: {@code 10/6.2s (requests), adaptive 4.5 requests/min}. */
    public String summary() {
        List<String> parts = new ArrayList<>();
        windows.forEach(w -> parts.add(w.limit() + " (" + (w.images() ? "images" : "requests") + ")"));
        if (adaptiveRate != null) {
            parts.add(String.format(Locale.ROOT, "adaptive %.1f requests/min", adaptiveRate.requestsPerSecond() * 60));
        }
        return parts.isEmpty() ? "nothing" : String.join(", ", parts);
    }

    public boolean isEmpty() {
        return windows.isEmpty() && adaptiveRate == null;
    }

    /** Only what was learned less than {@link #REMEMBERED_FOR} before {@code now} (and not in the future). */
    public LearnedLimits freshAt(Instant now) {
        List<Window> fresh = windows.stream().filter(w -> fresh(w.learnedAt(), now)).toList();
        return new LearnedLimits(fresh, adaptiveRate != null && fresh(adaptiveRate.learnedAt(), now) ? adaptiveRate : null);
    }

    private static boolean fresh(Instant learnedAt, Instant now) {
        return !learnedAt.isAfter(now) && learnedAt.plus(REMEMBERED_FOR).isAfter(now);
    }
}
