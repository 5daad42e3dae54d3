package io.github.geminiimagebatch.quota;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;

/**
 * How long one item waits before it is sent again after a server error of its own: 0.25 s, 0.5 s,
 * 1 s ... at most 30 s for its 1st, 2nd, 3rd ... failure, each drawn between half and all of
 * that ("equal jitter"), so items that failed together do not come back together. Only the item
 * waits; the provider goes on serving the others (see {@link OverloadGuard} for when it does not).
 */
public final class RetryBackoff {

    static final Duration FIRST = Duration.ofMillis(250);
    static final Duration LONGEST = Duration.ofSeconds(30);

    private final Random random;

    public RetryBackoff(Random random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    /** The wait after the item's {@code failures}-th server error (1 for the first). */
    public synchronized Duration after(int failures) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures must be at least 1, got " + failures);
        }
        Duration ceiling = FIRST.multipliedBy(1L << Math.min(failures - 1, 20));
        if (ceiling.compareTo(LONGEST) > 0) {
            ceiling = LONGEST;
        }
        return Duration.ofNanos(Math.round(ceiling.toNanos() * (0.5 + 0.5 * random.nextDouble())));
    }
}
