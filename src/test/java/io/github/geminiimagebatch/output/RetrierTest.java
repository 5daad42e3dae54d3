package io.github.geminiimagebatch.output;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetrierTest {

    /** A clock that only moves when the retrier sleeps. */
    private static final class FakeTime extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        final List<Duration> pauses = new ArrayList<>();

        void sleep(Duration pause) {
            pauses.add(pause);
            now = now.plus(pause);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private final FakeTime time = new FakeTime();

    private Retrier retrier(Duration giveUpAfter) {
        return new Retrier(Duration.ofMillis(250), Duration.ofSeconds(5), giveUpAfter, time, time::sleep);
    }

    @Test
    void pausesDoubleFromTheFirstDelayUpToTheCap() {
        Retrier r = retrier(Duration.ofSeconds(60));
        assertThat(List.of(r.pauseAfter(1), r.pauseAfter(2), r.pauseAfter(3), r.pauseAfter(4), r.pauseAfter(5),
                r.pauseAfter(6), r.pauseAfter(50)))
                .containsExactly(Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
                        Duration.ofSeconds(4), Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    @Test
    void aFirstSuccessNeitherWaitsNorRepeats() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        assertThat(retrier(Duration.ofSeconds(60)).call("put", () -> calls.incrementAndGet())).isEqualTo(1);
        assertThat(time.pauses).isEmpty();
    }

    @Test
    void anOutageShorterThanTheBudgetIsRiddenOut() throws IOException {
        Instant backAt = time.now.plusSeconds(30);
        AtomicInteger calls = new AtomicInteger();
        String result = retrier(Duration.ofSeconds(60)).call("put", () -> {
            calls.incrementAndGet();
            if (time.now.isBefore(backAt)) {
                throw new ConnectException("Connection refused");
            }
            return "stored";
        });
        assertThat(result).isEqualTo("stored");
        assertThat(time.now).isAfterOrEqualTo(backAt).isBefore(backAt.plusSeconds(6));
        assertThat(calls.get()).isEqualTo(time.pauses.size() + 1);
    }

    @Test
    void aStoreThatStaysDownEndsWithAnErrorNamingTheOperationAfterTheBudget() {
        Instant start = time.now;
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> retrier(Duration.ofSeconds(20)).call("S3 upload of s3://b/k.png", () -> {
            calls.incrementAndGet();
            throw new ConnectException("Connection refused");
        })).isInstanceOf(IOException.class)
                .hasMessageStartingWith("S3 upload of s3://b/k.png failed " + calls.get() + " times over 20 s")
                .hasMessageEndingWith("last error: ConnectException: Connection refused")
                .hasCauseInstanceOf(ConnectException.class);
        assertThat(Duration.between(start, time.now)).isLessThanOrEqualTo(Duration.ofSeconds(20))
                .isGreaterThan(Duration.ofSeconds(14));
    }

    @Test
    void aZeroBudgetTriesOnce() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> retrier(Duration.ZERO).call("put", () -> {
            calls.incrementAndGet();
            throw new IllegalStateException("boom");
        })).hasMessage("put failed 1 time over 0 s; last error: IllegalStateException: boom");
        assertThat(calls).hasValue(1);
    }

    @Test
    void interruptionStopsRetryingAndKeepsTheFlag() {
        Retrier r = new Retrier(Duration.ofMillis(250), Duration.ofSeconds(5), Duration.ofSeconds(60), time, pause -> {
            throw new InterruptedException();
        });
        assertThatThrownBy(() -> r.call("put", () -> {
            throw new ConnectException("refused");
        })).isInstanceOf(IOException.class).hasMessageContaining("interrupted");
        assertThat(Thread.interrupted()).isTrue();
    }

    @Test
    void nonsenseDelaysAreRefused() {
        assertThatThrownBy(() -> new Retrier(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1), time, time::sleep))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Retrier(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(1), time, time::sleep))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
