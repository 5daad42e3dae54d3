package io.github.geminiimagebatch.service;

import java.time.Duration;

/**
 * When a prompt file that was left with pending items is read again: {@code first} after the first
 * time, then twice as long each further time (1 min, 2, 4 ...), never longer than {@code max}.
 */
public record RetrySchedule(Duration first, Duration max) {

    public RetrySchedule {
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("need 0 < first <= max, got " + first + " and " + max);
        }
    }

    /** The wait after the file was left pending {@code times} times in a row (1 = the first time). */
    public Duration delayAfter(int times) {
        if (times < 1) {
            throw new IllegalArgumentException("times starts at 1, got " + times);
        }
        Duration delay = first;
        for (int i = 1; i < times && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) > 0 ? max : delay;
    }
}
