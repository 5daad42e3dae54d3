package io.github.geminiimagebatch.quota;

import java.time.Duration;
import java.time.Instant;

/**
 * When a provider takes no requests at all: paused after a 429 (every item waits, the time paused is
 * added up), or closed until an instant (a per-day quota used up until the reset; {@code Instant.MAX}:
 * unusable). Not thread-safe: {@link ProviderQuota} guards it.
 */
final class Stops {

    private Instant pausedUntil;
    private String pauseReason;
    /** Start of the pause in force (null when none); with pausedBefore, what pausedTime() adds up. */
    private Instant pauseStartedAt;
    private Duration pausedBefore = Duration.ZERO;
    private Instant closedUntil;
    private String closedReason;

    /** The close in force at {@code now}, or null (a close that ran out is forgotten). */
    Admission.Closed closedAt(Instant now) {
        if (closedUntil == null) {
            return null;
        }
        if (now.isBefore(closedUntil)) {
            return new Admission.Closed(closedUntil, closedReason);
        }
        closedUntil = null;
        closedReason = null;
        return null;
    }

    /** The pause in force at {@code now}, or null (a pause that ran out is added to the paused time). */
    Admission.Wait pauseAt(Instant now) {
        if (pausedUntil != null && now.isBefore(pausedUntil)) {
            return new Admission.Wait(pausedUntil, pauseReason);
        }
        endPause();
        return null;
    }

    boolean pausedAt(Instant now) {
        return pausedUntil != null && now.isBefore(pausedUntil);
    }

    /** Pauses until now + {@code pause}, unless a pause in force lasts longer; "paused 18 s: why". */
    void pause(Instant now, Duration pause, String why) {
        Instant until = now.plus(pause);
        if (pausedUntil != null && !now.isBefore(pausedUntil)) {
            endPause();
        }
        if (pausedUntil == null) {
            pauseStartedAt = now;
        }
        if (pausedUntil == null || until.isAfter(pausedUntil)) {
            pausedUntil = until;
            pauseReason = "paused " + DurationText.human(pause) + ": " + why;
        }
    }

    /** Closes until {@code until}, unless a close in force lasts longer. */
    void close(Instant now, Instant until, String reason) {
        if (closedUntil == null || until.isAfter(closedUntil) || !now.isBefore(closedUntil)) {
            closedUntil = until;
            closedReason = reason;
        }
    }

    Instant pausedUntil() {
        return pausedUntil;
    }

    String pauseReason() {
        return pauseReason;
    }

    Instant closedUntil() {
        return closedUntil;
    }

    String closedReason() {
        return closedReason;
    }

    /** Time spent paused up to {@code now}. */
    Duration pausedTime(Instant now) {
        Duration total = pausedBefore;
        if (pauseStartedAt != null && pausedUntil != null) {
            Instant end = now.isBefore(pausedUntil) ? now : pausedUntil;
            if (end.isAfter(pauseStartedAt)) {
                total = total.plus(Duration.between(pauseStartedAt, end));
            }
        }
        return total;
    }

    /** The pause in force (if any) has run out: add it to the paused total. */
    private void endPause() {
        if (pauseStartedAt != null && pausedUntil != null && pausedUntil.isAfter(pauseStartedAt)) {
            pausedBefore = pausedBefore.plus(Duration.between(pauseStartedAt, pausedUntil));
        }
        pauseStartedAt = null;
        pausedUntil = null;
        pauseReason = null;
    }
}
