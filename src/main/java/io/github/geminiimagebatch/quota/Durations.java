package io.github.geminiimagebatch.quota;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/** Duration arithmetic the quota's parts share. */
final class Durations {

    private Durations() {
    }

    static Duration ofSeconds(double seconds) {
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }

    static Duration ceilToMillis(Duration duration) {
        Duration millis = duration.truncatedTo(ChronoUnit.MILLIS);
        return millis.equals(duration) ? millis : millis.plusMillis(1);
    }

    static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
