package io.github.geminiimagebatch.quota;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OverloadGuardTest {

    private static final Instant T0 = Instant.parse("2026-03-10T17:00:00Z");

    private final OverloadGuard guard = new OverloadGuard(new Random(7));

    private static Instant at(double seconds) {
        return T0.plusNanos(Math.round(seconds * 1e9));
    }

    private static double secondsBetween(Instant a, Instant b) {
        return Duration.between(a, b).toNanos() / 1e9;
    }

    /** Feeds answers, one every 10 ms from {@code start}: 'F' a server error, 'S' an accept. Returns the time after. */
    private double answers(double start, String pattern) {
        return answers(guard, start, pattern);
    }

    private static double answers(OverloadGuard to, double start, String pattern) {
        double t = start;
        for (char c : pattern.toCharArray()) {
            if (c == 'F') {
                to.failed(at(t));
            } else {
                to.accepted(at(t));
            }
            t += 0.01;
        }
        return t;
    }

    @Test
    void aHealthyProviderIsNeverHeldBack() {
        assertThat(guard.earliestSend(at(0))).isEqualTo(at(0));
        guard.sent(at(0));
        assertThat(guard.earliestSend(at(0))).isEqualTo(at(0));
        answers(0, "SSSSFSSSSFSSFSSS");
        assertThat(guard.overloaded()).isFalse();
        assertThat(guard.earliestSend(at(1))).isEqualTo(at(1));
        assertThat(guard.limitPerSecond()).isZero();
    }

    @Test
    void fourServerErrorsInARowMeanOverloadThreeDoNot() {
        answers(0, "SSSSSSSSSSFFF");
        assertThat(guard.overloaded()).isFalse();
        answers(1, "S");
        answers(2, "FFF");
        assertThat(guard.overloaded()).as("the accept in between broke the run").isFalse();
        answers(3, "F");
        assertThat(guard.overloaded()).isTrue();
        assertThat(guard.overloadEvents()).isOne();
    }

    @Test
    void moreThanHalfOfTheWindowFailingMeansOverloadHalfDoesNot() {
        answers(0, "FFSFFSFFSS");
        assertThat(guard.overloaded()).as("judged at each failure: at the last one 6 of 8 had failed, fewer than 10 answers, never 4 in a row").isFalse();
        OverloadGuard more = new OverloadGuard(new Random(1));
        answers(more, 0, "FSFSFSFSFSF");
        assertThat(more.overloaded()).as("6 of 11 failed").isTrue();
        OverloadGuard fewer = new OverloadGuard(new Random(1));
        answers(fewer, 0, "SFSFSFSFSSF");
        assertThat(fewer.overloaded()).as("5 of 11 failed").isFalse();
    }

    @Test
    void fewerThanTenAnswersAreNoEvidenceUnlessFourFailInARow() {
        answers(0, "FFSFFSFFF");
        assertThat(guard.overloaded()).as("7 of 9 failed, at most 3 in a row").isFalse();
        answers(1, "F");
        assertThat(guard.overloaded()).isTrue();
    }

    @Test
    void onlyTheLastFortyAnswersOfTheLastThirtySecondsCount() {
        answers(0, "FFFSFFFS");
        answers(31, "SFF");
        assertThat(guard.overloaded()).as("8 of 11 failed, but 6 of them more than 30 s ago").isFalse();

        OverloadGuard counted = new OverloadGuard(new Random(3));
        Instant t = at(0);
        for (int i = 0; i < 40; i++) {
            counted.accepted(t);
            counted.failed(t);
        }
        for (int i = 0; i < 40; i++) {
            counted.accepted(t);
        }
        for (int i = 0; i < 3; i++) {
            counted.failed(t);
        }
        assertThat(counted.overloaded()).as("43 of 83 failed, but only 3 of the last 40").isFalse();
    }

    @Test
    void onEntryTheRateIsHalfTheLastSecondsAnswersThenEachFailureHalvesItDownToOneProbeASecond() {
        answers(0, "SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS");
        double t = answers(0.6, "FFFF");
        // the last 40 answers (all that is kept) came within the last second: 40/s, half is 20
        assertThat(guard.overloaded()).isTrue();
        assertThat(guard.limitPerSecond()).isEqualTo(20);
        double expected = 20;
        while (expected > 1) {
            t = answers(t, "F");
            expected = Math.max(1, expected / 2);
            assertThat(guard.limitPerSecond()).isEqualTo(expected);
        }
        answers(t, "FFFFFFFFFF");
        assertThat(guard.limitPerSecond()).as("never below one probe a second").isEqualTo(1);
        assertThat(guard.describe(at(t))).contains("probing once a second");
    }

    @Test
    void probesAreSpacedAboutOneSecondApartWithJitterAndNeverTwoWithinEightHundredMilliseconds() {
        answers(0, "FFFFFFFFFFFF");
        assertThat(guard.limitPerSecond()).isEqualTo(1);
        double t = 1;
        double shortest = Double.MAX_VALUE;
        double longest = 0;
        double previous = -1;
        for (int i = 0; i < 200; i++) {
            Instant earliest = guard.earliestSend(at(t));
            t = Math.max(t, secondsBetween(T0, earliest));
            assertThat(guard.earliestSend(at(t))).isEqualTo(at(t));
            guard.sent(at(t));
            if (previous >= 0) {
                shortest = Math.min(shortest, t - previous);
                longest = Math.max(longest, t - previous);
            }
            previous = t;
            guard.failed(at(t + 0.2));
            t += 0.001;
        }
        assertThat(shortest).isGreaterThanOrEqualTo(0.8);
        assertThat(longest).isLessThanOrEqualTo(1.2 + 0.002);
        assertThat(longest - shortest).as("jittered").isGreaterThan(0.2);
    }

    @Test
    void eachAcceptDoublesTheRateAndTheLimitIsLiftedOnceHalfTheAnswersAreAccepts() {
        double t = answers(0, "FFFFFFFFFFFFFFFFFFFF");
        assertThat(guard.limitPerSecond()).isEqualTo(1);
        double expected = 1;
        for (int i = 0; i < 19; i++) {
            t = answers(t, "S");
            expected *= 2;
            assertThat(guard.limitPerSecond()).as("after %d accepts", i + 1).isEqualTo(expected);
        }
        answers(t, "S");
        assertThat(guard.overloaded()).as("20 accepts, 20 failures in the last 40").isFalse();
        assertThat(guard.earliestSend(at(t))).isEqualTo(at(t));
    }

    @Test
    void whileOverloadedTheNextRequestWaitsOneSpacingAfterTheLastOneSent() {
        answers(0, "FFFFFFFFFFFF");
        guard.sent(at(5));
        Instant next = guard.earliestSend(at(5));
        assertThat(secondsBetween(at(5), next)).isBetween(0.8, 1.2);
        assertThat(guard.earliestSend(at(7))).as("a spacing long past").isEqualTo(at(7));
        guard.accepted(at(5.2));
        assertThat(secondsBetween(at(5), guard.earliestSend(at(5.2)))).as("2/s after one accept").isBetween(0.4, 0.6);
    }
}
