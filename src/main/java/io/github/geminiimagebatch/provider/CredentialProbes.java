package io.github.geminiimagebatch.provider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.IntFunction;

/**
 * After a provider refused our credentials: when one request may go to it again to learn whether it
 * accepts them now (a key unsuspended, the API switched on for the project, billing fixed, a replaced
 * service-account file). Each refusal in a row pushes the next probe further out
 * ({@code delayAfter(1)}, {@code delayAfter(2)}, ...); without a schedule (a run that ends, {@code --once})
 * a refusal is final. Thread-safe.
 */
final class CredentialProbes {

    private final Clock clock;
    private IntFunction<Duration> delayAfter;
    private int refusalsInARow;
    private Instant probeAt;

    CredentialProbes(Clock clock) {
        this.clock = clock;
    }

    /** Probes a refused provider after {@code delayAfter.apply(n)} following its n-th refusal in a row. */
    synchronized void schedule(IntFunction<Duration> delayAfter) {
        this.delayAfter = delayAfter;
    }

    /**
     * The provider refused the credentials. {@code probe}: to a probe request; a refusal of a call that
     * was sent before the first refusal was known does not count again.
     *
     * @return when the next probe is due, or null when none will be
     */
    synchronized Instant refused(boolean probe) {
        if (probe || refusalsInARow == 0) {
            refusalsInARow++;
            probeAt = delayAfter == null ? null : clock.instant().plus(delayAfter.apply(refusalsInARow));
        }
        return probeAt;
    }

    /** Whether a probe may go at {@code now}. */
    synchronized boolean due(Instant now) {
        return probeAt != null && !now.isBefore(probeAt);
    }

    /** When the next probe is due; null when none will be (or the credentials were accepted). */
    synchronized Instant nextProbe() {
        return probeAt;
    }

    /** The provider accepted the credentials: the next refusal starts the schedule from its beginning. */
    synchronized void accepted() {
        refusalsInARow = 0;
        probeAt = null;
    }
}
