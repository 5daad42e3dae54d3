package io.github.geminiimagebatch.quota;

import java.time.Instant;
import java.util.List;

/**
 * The state of one provider's quota at one instant, for health checks, progress and ETA.
 *
 * @param provider                  the provider's name
 * @param at                        when the snapshot was taken
 * @param pausedUntil               end of the current pause (after a 429 or server errors), or null
 * @param closedUntil               end of the closed state (per-day exhausted; MAX = unusable), or null
 * @param reason                    why it is closed or paused, or null when it is open
 * @param adaptiveRequestsPerMinute the rate learned from 429s without quota details, or null when off
 * @param windows                   every limit in force, configured and learned, with its usage
 * @param admitted                  requests admitted since start
 * @param throttled                 429s reported since start
 * @param transientFailures         5xx and timeouts reported since start
 */
public record QuotaSnapshot(String provider, Instant at, Instant pausedUntil, Instant closedUntil, String reason,
                            Double adaptiveRequestsPerMinute, List<WindowUsage> windows, long admitted,
                            long throttled, long transientFailures) {

    /**
     * @param unit        "requests" or "images"
     * @param limit       the limit
     * @param learned     true when it was learned from a 429 rather than configured
     * @param used        how much of it is used now
     * @param nextRelease when room next frees up (oldest admission ages out, or the daily reset), null when unused
     */
    public record WindowUsage(String unit, Limit limit, boolean learned, long used, Instant nextRelease) {
    }

    public boolean closed() {
        return closedUntil != null;
    }

    public boolean paused() {
        return pausedUntil != null;
    }

    public List<Limit> learnedLimits() {
        return windows.stream().filter(WindowUsage::learned).map(WindowUsage::limit).toList();
    }
}
