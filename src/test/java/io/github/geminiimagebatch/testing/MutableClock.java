package io.github.geminiimagebatch.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock the test moves by hand, so time-based rules are checked without sleeping. Its zone is UTC;
 * {@link #withZone} gives a view in another zone that still follows this clock's instant.
 */
public final class MutableClock extends Clock {

    // volatile: simulator and pipeline tests read the clock from server and route threads.
    private volatile Instant now;

    public MutableClock(Instant start) {
        this.now = start;
    }

    /** A clock at an ISO-8601 instant such as {@code 2026-03-10T17:00:00Z}. */
    public static MutableClock at(String instant) {
        return new MutableClock(Instant.parse(instant));
    }

    public void advance(Duration duration) {
        now = now.plus(duration);
    }

    public void set(Instant instant) {
        now = instant;
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return new ZonedView(this, zone);
    }

    /** Code under test asks for local dates in a configured zone; the view keeps following the test's moves. */
    private static final class ZonedView extends Clock {
        private final MutableClock source;
        private final ZoneId zone;

        ZonedView(MutableClock source, ZoneId zone) {
            this.source = source;
            this.zone = zone;
        }

        @Override
        public Instant instant() {
            return source.instant();
        }

        @Override
        public ZoneId getZone() {
            return zone;
        }

        @Override
        public Clock withZone(ZoneId other) {
            return new ZonedView(source, other);
        }
    }
}
