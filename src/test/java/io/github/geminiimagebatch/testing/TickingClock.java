package io.github.geminiimagebatch.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/** Clocks that run at the real pace from a chosen instant: the real application, its timed waits intact, on any day. */
public final class TickingClock {

    private TickingClock() {
    }

    /** A UTC clock that reads {@code start} now and then moves on with the system clock. */
    public static Clock from(Instant start) {
        Clock system = Clock.systemUTC();
        return Clock.offset(system, Duration.between(system.instant(), start)).withZone(ZoneOffset.UTC);
    }
}
