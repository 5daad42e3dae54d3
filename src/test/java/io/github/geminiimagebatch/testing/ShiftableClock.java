package io.github.geminiimagebatch.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The system clock plus a shift the test can jump forward while real time goes on, e.g. to move a
 * running simulator to the start of a planned outage at the moment the test chooses.
 */
public final class ShiftableClock extends Clock {

    private final Clock base = Clock.systemUTC();
    private volatile Duration shift = Duration.ZERO;

    public void shiftBy(Duration more) {
        shift = shift.plus(more);
    }

    @Override
    public Instant instant() {
        return base.instant().plus(shift);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a shiftable clock stays in UTC");
    }
}
