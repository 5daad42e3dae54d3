package io.github.geminiimagebatch.quota;

import java.time.Duration;

/**
 * The parameters of the spreading rule, the same for an instance's own pacing ({@code Pacing},
 * {@code QuotaWindow}) and for the quota instances share through Redis ({@code shared/admit.lua},
 * given them by {@code RedisQuota}): under a sliding limit of N per W, W up to
 * {@link #LONGEST_PERIOD}, two admissions are at least {@link #FACTOR} x W/N apart, except that a
 * window which has been full since it was last empty gives back its places without spacing while
 * at most {@link #givenBackAtOnce} of them are free.
 */
public final class Spreading {

    /** Two admissions under N per W are at least this x W/N apart. */
    public static final double FACTOR = 0.5;
    /** Limits over this period are budgets: not spread. */
    public static final Duration LONGEST_PERIOD = Duration.ofHours(1);
    /** A full window's given-back places are taken unspread up to 1/this of the window at a time. */
    public static final int GIVEN_BACK_SHARE = 10;

    private Spreading() {
    }

    /** How many free places of a full window of {@code permits} still count as given back (a tenth, at least one). */
    public static long givenBackAtOnce(long permits) {
        return Math.max(1, permits / GIVEN_BACK_SHARE);
    }
}
