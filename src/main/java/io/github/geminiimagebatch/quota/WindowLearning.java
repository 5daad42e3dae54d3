package io.github.geminiimagebatch.quota;

import io.github.geminiimagebatch.quota.QuotaWindow.Unit;
import java.time.Duration;
import java.time.Instant;

/**
 * Learns a provider's real limits from 429s that state them. A per-minute or images-per-minute
 * 429 stating its limit N and a wait teaches W = (now + wait) - (time of the N-th most recent
 * admission the server accepted): the server's window admits again exactly when that admission ages
 * out. Installed as a learned sliding limit N/W next to the configured ones; later estimates for the
 * same N only lengthen it. A per-day 429 stating N becomes a learned N/day. Not thread-safe:
 * {@link ProviderQuota} guards it.
 */
final class WindowLearning {

    static final Duration SHORTEST_LEARNED_WINDOW = Duration.ofSeconds(1);
    static final Duration LONGEST_LEARNED_WINDOW = Duration.ofHours(1);
    private static final Duration NOMINAL_MINUTE = Duration.ofMinutes(1);
    private static final String PER_DAY_KEY = "day " + Unit.REQUESTS;

    private final Pacing pacing;
    private final AdmissionLog log;
    private final QuotaSettings settings;
    private final SharedQuota shared;

    WindowLearning(Pacing pacing, AdmissionLog log, QuotaSettings settings, SharedQuota shared) {
        this.pacing = pacing;
        this.log = log;
        this.settings = settings;
        this.shared = shared;
    }

    /**
     * Learns the window of a per-minute or images-per-minute 429 that states its limit. Without a
     * stated wait, the quota id's nominal minute. Returns whether a learned limit now covers this
     * quota (else the caller adapts the rate instead).
     */
    boolean learnWindow(ThrottleSignal signal, AdmissionLog.Entry refused, Instant now) {
        Unit unit = signal.kind() == ThrottleKind.IMAGES_PER_MINUTE ? Unit.IMAGES : Unit.REQUESTS;
        long permits = signal.limit();
        String key = unit + " " + (signal.quotaId() != null ? signal.quotaId() : signal.kind());
        QuotaWindow existing = pacing.learned(key);
        // Shared with other instances, the server's window holds their admissions too.
        Instant nth = shared.nthMostRecentAccepted(unit == Unit.IMAGES, permits);
        if (nth == null) {
            nth = refused != null ? log.nthAcceptedBefore(refused, unit == Unit.IMAGES, permits)
                    : log.nthMostRecentAccepted(unit == Unit.IMAGES, permits);
        }
        if (nth == null) {
            // Fewer than N of ours in the window: someone else shares the quota, or we restarted.
            // Nothing to measure the window against; what was learned before still stands.
            return existing != null;
        }
        Duration window = signal.retryAfter() != null
                ? Duration.between(nth, now.plus(signal.retryAfter()))
                : NOMINAL_MINUTE;
        window = Durations.max(SHORTEST_LEARNED_WINDOW, Durations.min(LONGEST_LEARNED_WINDOW, Durations.ceilToMillis(window)));
        if (existing != null && existing.limit.permits() == permits && existing.limit.period().compareTo(window) >= 0) {
            return true;
        }
        QuotaWindow learned = pacing.window(unit, Limit.sliding(permits, window), "a 429 (" + signal.summary() + ")");
        Instant windowStart = now.minus(window).minus(settings.marginFor(window));
        for (AdmissionLog.Entry admitted : log.accepted()) {
            if (admitted.at.isAfter(windowStart)) {
                learned.record(admitted.at, unit == Unit.IMAGES ? admitted.images : 1, admitted.ticket);
            }
        }
        pacing.install(key, learned, now);
        shared.learned(unit == Unit.IMAGES, learned.limit, learned.limit.period().plus(settings.marginFor(window)),
                learned.limitText());
        return true;
    }

    /**
     * A per-day 429 stating its limit N: N/day is learned (or relearned with a new N), and unless
     * {@code justAfterReset} today counts as used up.
     */
    void learnDay(ThrottleSignal signal, Instant now, boolean justAfterReset) {
        QuotaWindow learned = pacing.learned(PER_DAY_KEY);
        if (learned == null || learned.limit.permits() != signal.limit()) {
            learned = pacing.window(Unit.REQUESTS, Limit.perCalendarDay(signal.limit()), "a per-day 429");
            pacing.install(PER_DAY_KEY, learned, now);
        }
        if (!justAfterReset) {
            learned.exhaustToday(now);
        }
        shared.learned(false, learned.limit, learned.limit.period(), learned.limitText());
    }
}
