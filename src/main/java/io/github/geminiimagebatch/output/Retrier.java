package io.github.geminiimagebatch.output;

import io.github.geminiimagebatch.secret.Secrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Repeats a store operation with doubling pauses ({@code firstDelay}, 2x, 4x ... capped at
 * {@code maxDelay}) until it succeeds or {@code giveUpAfter} has passed since the first attempt, so a
 * store that is down for tens of seconds is ridden out and one that stays down ends the item pending.
 */
public final class Retrier {

    private static final Logger LOG = LoggerFactory.getLogger(Retrier.class);

    /** One attempt; an IOException or a RuntimeException from a client library counts as a failed attempt. */
    @FunctionalInterface
    public interface Attempt<T> {
        T run() throws Exception;
    }

    /** Waits between attempts; tests pass one that advances a fake clock. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration pause) throws InterruptedException;
    }

    private final Duration firstDelay;
    private final Duration maxDelay;
    private final Duration giveUpAfter;
    private final Clock clock;
    private final Sleeper sleeper;

    public Retrier(Duration firstDelay, Duration maxDelay, Duration giveUpAfter, Clock clock, Sleeper sleeper) {
        if (firstDelay.isNegative() || firstDelay.isZero() || maxDelay.compareTo(firstDelay) < 0 || giveUpAfter.isNegative()) {
            throw new IllegalArgumentException("need 0 < firstDelay <= maxDelay and giveUpAfter >= 0");
        }
        this.firstDelay = firstDelay;
        this.maxDelay = maxDelay;
        this.giveUpAfter = giveUpAfter;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** The usual pacing for output stores: 250 ms, doubling up to 5 s, for {@code giveUpAfter}. */
    public static Retrier forOutputs(Duration giveUpAfter, Clock clock) {
        return new Retrier(Duration.ofMillis(250), Duration.ofSeconds(5), giveUpAfter, clock,
                pause -> Thread.sleep(pause.toMillis()));
    }

    /** The pause after the given number of consecutive failures (1 = after the first failure). */
    public Duration pauseAfter(int failures) {
        Duration pause = firstDelay;
        for (int i = 1; i < failures && pause.compareTo(maxDelay) < 0; i++) {
            pause = pause.multipliedBy(2);
        }
        return pause.compareTo(maxDelay) > 0 ? maxDelay : pause;
    }

    /**
     * Runs the attempt until it succeeds. When the next pause would end after the deadline, gives up
     * with an IOException naming {@code what}, the number of attempts and the last error.
     */
    public <T> T call(String what, Attempt<T> attempt) throws IOException {
        Instant deadline = clock.instant().plus(giveUpAfter);
        int failures = 0;
        while (true) {
            Exception last;
            try {
                T result = attempt.run();
                if (failures > 0) {
                    LOG.info("{} succeeded after {} failed attempt(s)", what, failures);
                }
                return result;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(what + ": interrupted", e);
            } catch (Exception e) {
                last = e;
            }
            failures++;
            if (failures == 1) {
                LOG.warn("{} failed ({}); retrying for up to {} s", what, describe(last), giveUpAfter.toSeconds());
            }
            Duration pause = pauseAfter(failures);
            if (clock.instant().plus(pause).isAfter(deadline)) {
                throw new IOException(what + " failed " + failures + (failures == 1 ? " time" : " times") + " over "
                        + giveUpAfter.toSeconds() + " s; last error: " + describe(last), last);
            }
            try {
                sleeper.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(what + ": interrupted while waiting to retry", e);
            }
        }
    }

    private static String describe(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root && (root.getMessage() == null
                || root.getMessage().equals(root.getCause().toString()))) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + Secrets.redact(String.valueOf(root.getMessage()));
    }
}
