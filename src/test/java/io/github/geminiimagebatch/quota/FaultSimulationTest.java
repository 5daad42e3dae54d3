package io.github.geminiimagebatch.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.geminiimagebatch.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The failure policy driven like the dispatcher drives it, on a hand-moved clock in 1 ms steps:
 * {@code threads} items in progress, at most {@code slots} calls in flight, each call answered
 * after {@code latency}; an item whose call failed waits its own {@link RetryBackoff} and is sent
 * again. The server fails each call at random with probability {@code faultRate}, and every call
 * during an outage.
 */
class FaultSimulationTest {

    private record Result(double[] sentPerSecond, double[] madePerSecond, long made, long sent) {
        double made(int fromSecond, int toSecond) {
            double sum = 0;
            for (int s = fromSecond; s < toSecond; s++) {
                sum += madePerSecond[s];
            }
            return sum / (toSecond - fromSecond);
        }
    }

    private static Result run(int seconds, int threads, int slots, long latencyMillis, double faultRate,
                              long outageFromMillis, long outageMillis, long outageLatencyMillis) {
        MutableClock clock = MutableClock.at("2026-03-10T17:00:00Z");
        Instant start = clock.instant();
        Random random = new Random(11);
        ProviderQuota quota = new ProviderQuota("sim", QuotaSettings.unlimited(), clock, new Random(5));
        RetryBackoff backoff = new RetryBackoff(new Random(9));
        long[] retryAt = new long[threads];
        long[] answerAt = new long[threads];
        boolean[] willFail = new boolean[threads];
        int[] failures = new int[threads];
        java.util.Arrays.fill(answerAt, -1);
        double[] sent = new double[seconds];
        double[] made = new double[seconds];
        long madeTotal = 0;
        long sentTotal = 0;
        int inFlight = 0;
        for (long t = 0; t < seconds * 1000L; t++) {
            clock.set(start.plusMillis(t));
            for (int i = 0; i < threads; i++) {
                if (answerAt[i] == t) {
                    answerAt[i] = -1;
                    inFlight--;
                    if (willFail[i]) {
                        quota.onTransientFailure();
                        failures[i]++;
                        retryAt[i] = t + backoff.after(failures[i]).toMillis();
                    } else {
                        quota.onSuccess();
                        failures[i] = 0;
                        made[(int) (t / 1000)]++;
                        madeTotal++;
                    }
                }
            }
            for (int i = 0; i < threads; i++) {
                if (answerAt[i] >= 0 || retryAt[i] > t || inFlight >= slots) {
                    continue;
                }
                if (!(quota.tryAdmit(1) instanceof Admission.Granted)) {
                    break;
                }
                boolean outage = t >= outageFromMillis && t < outageFromMillis + outageMillis;
                willFail[i] = outage || random.nextDouble() < faultRate;
                answerAt[i] = t + Math.max(1, outage ? outageLatencyMillis : latencyMillis);
                inFlight++;
                sent[(int) (t / 1000)]++;
                sentTotal++;
            }
        }
        return new Result(sent, made, madeTotal, sentTotal);
    }

    /** 24 items in progress for 16 calls in flight, as the item threads are sized (concurrency + half). */
    private static Result randomFaults(double rate) {
        return run(60, 24, 16, 200, rate, 0, 0, 0);
    }

    @Test
    void sporadicServerErrorsCostAboutTheRetriesAndNoMore() {
        Result clean = randomFaults(0);
        assertThat(clean.made()).isBetween(4700L, 4800L);
        for (double rate : new double[] {0.05, 0.2}) {
            Result faulty = randomFaults(rate);
            // each failed call costs its item one more call (and its backoff); nothing else slows down
            double physical = (1 - rate) * clean.made();
            assertThat(faulty.made()).as("%s faults: %d of %d clean", rate, faulty.made(), clean.made())
                    .isGreaterThan((long) (0.9 * physical));
        }
    }

    @Test
    void anOutageFallsToProbesWithinASecondAndRecoversWithinTwoSecondsAfterIt() {
        for (long outageLatency : new long[] {0, 200}) {
            Result result = run(40, 24, 16, 200, 0, 10_000, 10_000, outageLatency);
            double before = result.made(2, 10);
            assertThat(before).isGreaterThan(75);
            for (int s = 11; s < 20; s++) {
                assertThat(result.sentPerSecond()[s]).as("calls in second %d of the outage (503 after %d ms)", s, outageLatency)
                        .isLessThanOrEqualTo(2);
            }
            assertThat(result.made(22, 30)).as("throughput from 2 s after the outage").isGreaterThan(0.9 * before);
        }
    }

    @Test
    void aPartialOverloadWhereMostCallsFailIsHeldToAFewCallsASecond() {
        Result result = run(30, 24, 16, 200, 0.7, 0, 0, 0);
        double sentPerSecond = result.sent() / 30.0;
        assertThat(sentPerSecond).as("calls per second when 7 in 10 fail (80/s when healthy)").isLessThan(10);
        assertThat(result.made()).as("the 3 in 10 that succeed still make images").isGreaterThan(10);
    }
}
