package io.github.geminiimagebatch.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.geminiimagebatch.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ProviderQuotaTest {

    private static final ZoneId PACIFIC = ZoneId.of("America/Los_Angeles");
    private static final Duration MINUTE = Duration.ofMinutes(1);

    private final MutableClock clock = MutableClock.at("2026-03-10T17:00:00Z");

    private ProviderQuota quota(String requestLimits, String imageLimits) {
        return new ProviderQuota("aistudio", new QuotaSettings(Limits.parse(requestLimits, "limits"),
                Limits.parse(imageLimits, "imageLimits"), PACIFIC, Duration.ofMillis(50)), clock, new Random(42));
    }

    /** Admits as fast as the quota lets, jumping the clock over every Wait; returns the admission times. */
    private List<Instant> admitGreedily(ProviderQuota quota, int count, int images) {
        List<Instant> admitted = new ArrayList<>();
        while (admitted.size() < count) {
            Admission admission = quota.tryAdmit(images);
            if (admission instanceof Admission.Granted) {
                admitted.add(clock.instant());
            } else if (admission instanceof Admission.Wait wait) {
                assertThat(wait.until()).isAfter(clock.instant());
                clock.set(wait.until());
            } else {
                throw new AssertionError("unexpected " + admission);
            }
        }
        return admitted;
    }

    private static Duration secondsOf(double seconds) {
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }

    @Test
    void unlimitedAdmitsEverything() {
        ProviderQuota quota = new ProviderQuota("sim", QuotaSettings.unlimited(), clock);
        for (int i = 0; i < 1000; i++) {
            assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
        }
        assertThat(quota.snapshot().admitted()).isEqualTo(1000);
    }

    @Test
    void slidingWindowAdmitsExactlyNPerWindowPlusMarginWithRequestsSpreadOverHalfTheWindow() {
        ProviderQuota quota = quota("10/min", "");
        Instant start = clock.instant();
        List<Instant> times = admitGreedily(quota, 30, 1);
        // spacing 0.5 x 60 s / 10 = 3 s; the window counts 60 s + 50 ms + 1% = 60.65 s
        Duration span = Duration.ofMillis(60_650);
        for (int i = 0; i < 30; i++) {
            int round = i / 10;
            int inRound = i % 10;
            assertThat(times.get(i)).as("admission %d", i)
                    .isEqualTo(start.plus(span.multipliedBy(round)).plusSeconds(3L * inRound));
        }
        for (int i = 10; i < times.size(); i++) {
            assertThat(Duration.between(times.get(i - 10), times.get(i))).isGreaterThanOrEqualTo(span);
        }
    }

    @Test
    void waitNamesTheEarliestInstantAndTheLimitThatHoldsIt() {
        ProviderQuota quota = quota("2/min", "");
        assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
        Admission spread = quota.tryAdmit(1);
        assertThat(spread).isEqualTo(new Admission.Wait(clock.instant().plusSeconds(15), "spreading requests under 2/min"));
        clock.advance(Duration.ofSeconds(15));
        assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
        clock.advance(Duration.ofSeconds(15));
        Admission full = quota.tryAdmit(1);
        assertThat(full).isEqualTo(new Admission.Wait(
                clock.instant().minusSeconds(30).plus(Duration.ofMillis(60_650)), "pacing under 2/min (requests)"));
    }

    @Test
    void marginFollowsTheSetting() {
        ProviderQuota quota = new ProviderQuota("p", new QuotaSettings(Limits.parse("1/10s", "l"), List.of(), PACIFIC,
                Duration.ofSeconds(2)), clock);
        quota.tryAdmit(1);
        assertThat(((Admission.Wait) quota.tryAdmit(1)).until()).isEqualTo(clock.instant().plusMillis(10_000 + 2_000 + 100));
        assertThat(QuotaSettings.unlimited().marginFor(MINUTE)).isEqualTo(Duration.ofMillis(650));
    }

    @Test
    void steadyThroughputStaysAbove97PercentOfEveryLimit() {
        for (String limit : List.of("10/min", "60/min", "10/6s", "100/2h", "5/90s", "1000/min")) {
            MutableClock fresh = MutableClock.at("2026-03-10T17:00:00Z");
            Limit parsed = Limits.parse(limit, "l").get(0);
            ProviderQuota quota = new ProviderQuota("p", QuotaSettings.of(List.of(parsed), List.of()), fresh);
            long periods = 20;
            Instant end = fresh.instant().plus(parsed.period().multipliedBy(periods));
            long admitted = 0;
            while (fresh.instant().isBefore(end)) {
                Admission admission = quota.tryAdmit(1);
                if (admission instanceof Admission.Granted) {
                    admitted++;
                } else {
                    fresh.set(((Admission.Wait) admission).until());
                }
            }
            double share = (double) admitted / (parsed.permits() * periods);
            assertThat(share).as(limit).isBetween(0.97, 1.0);
        }
    }

    @Test
    void aFullWindowGivesItsPlacesBackAtOnceSoSendDelaysDoNotAddUpFromWindowToWindow() {
        ProviderQuota quota = quota("60/6s", "");
        Duration span = Duration.ofMillis(6_000 + 50 + 60);
        List<Instant> sent = new ArrayList<>();
        List<Duration> sendDelays = new ArrayList<>();
        while (sent.size() < 300) {
            Admission admission = quota.tryAdmit(1);
            if (admission instanceof Admission.Granted granted) {
                // requests leave 3 or 8 ms after their admission: consecutive ones as little as 45 ms apart
                Duration delay = Duration.ofMillis(sent.size() % 2 == 0 ? 3 : 8);
                clock.advance(delay);
                quota.countFromNow(granted.ticket());
                sent.add(clock.instant());
                sendDelays.add(delay);
            } else {
                clock.set(((Admission.Wait) admission).until());
            }
        }
        for (int i = 1; i < 60; i++) {
            assertThat(Duration.between(sent.get(i - 1), sent.get(i)).toMillis()).as("the first window is spread")
                    .isBetween(45L, 55L);
        }
        // spaced again at 50 ms, every 45 ms gap would push the later request (and all it paces) 5 ms later
        for (int i = 60; i < 300; i++) {
            assertThat(Duration.between(sent.get(i - 60), sent.get(i))).as("request %d", i)
                    .isEqualTo(span.plus(sendDelays.get(i)));
        }
    }

    @Test
    void aFullWindowAFewPlacesBehindCatchesUpAtOnceButMoreRoomIsSpreadAgain() {
        ProviderQuota quota = quota("60/6s", "");
        List<Instant> first = admitGreedily(quota, 60, 1);
        // woken 120 ms late: the places of the first three admissions (50 ms apart) are free together
        clock.set(first.get(0).plus(Duration.ofMillis(6_110 + 120)));
        for (int i = 0; i < 3; i++) {
            assertThat(quota.tryAdmit(1)).as("place %d", i).isInstanceOf(Admission.Granted.class);
        }
        assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Wait.class);
        // a gap in the work: 20 places free, a batch again
        clock.set(first.get(0).plus(Duration.ofMillis(6_110 + 1_000)));
        assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
        Admission next = quota.tryAdmit(1);
        assertThat(next).isEqualTo(new Admission.Wait(clock.instant().plusMillis(50), "spreading requests under 60/6s"));
    }

    @Test
    void aWindowThatEmptiedSpreadsTheNextBatchAgain() {
        ProviderQuota quota = quota("10/min", "");
        admitGreedily(quota, 25, 1);
        clock.advance(Duration.ofMinutes(2));
        List<Instant> times = admitGreedily(quota, 10, 1);
        for (int i = 1; i < times.size(); i++) {
            assertThat(Duration.between(times.get(i - 1), times.get(i))).isEqualTo(Duration.ofSeconds(3));
        }
    }

    @Test
    void afterIdleABatchIsSpreadNotBurst() {
        ProviderQuota quota = quota("60/min", "");
        List<Instant> times = admitGreedily(quota, 5, 1);
        for (int i = 1; i < times.size(); i++) {
            assertThat(Duration.between(times.get(i - 1), times.get(i))).isEqualTo(Duration.ofMillis(500));
        }
    }

    @Test
    void limitsLongerThanAnHourAreBudgetsAndNotSpread() {
        ProviderQuota quota = quota("100/2h", "");
        for (int i = 0; i < 100; i++) {
            assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
        }
        assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Wait.class);
    }

    @Test
    void everyLimitMustHaveRoomAndTheStrictestDecides() {
        ProviderQuota quota = quota("10/min,15/5min", "");
        List<Instant> times = admitGreedily(quota, 16, 1);
        Instant start = times.get(0);
        // 15/5min spreads wider (10 s) than 10/min (3 s), so it alone sets the spacing ...
        assertThat(times.get(14)).isEqualTo(start.plusSeconds(140));
        // ... and the 16th waits for the first to leave its 5 min + 50 ms + 3 s window
        assertThat(times.get(15)).isEqualTo(start.plusMillis(303_050));
    }

    @Test
    void imageLimitsCountImagesPerRequest() {
        ProviderQuota quota = quota("", "10/min");
        assertThat(quota.tryAdmit(4)).isInstanceOf(Admission.Granted.class);
        clock.advance(Duration.ofSeconds(12));
        assertThat(quota.tryAdmit(4)).isInstanceOf(Admission.Granted.class);
        clock.advance(Duration.ofSeconds(12));
        Admission.Wait wait = (Admission.Wait) quota.tryAdmit(4);
        assertThat(wait.until()).isEqualTo(clock.instant().minusSeconds(24).plus(Duration.ofMillis(60_650)));
        assertThat(wait.reason()).isEqualTo("pacing under 10/min (images)");
        assertThat(quota.tryAdmit(2)).isInstanceOf(Admission.Granted.class);
        assertThat(quota.snapshot().windows()).singleElement()
                .extracting(QuotaSnapshot.WindowUsage::unit, QuotaSnapshot.WindowUsage::used)
                .containsExactly("images", 10L);
    }

    @Test
    void imageSpacingScalesWithTheImagesOfTheLastRequest() {
        ProviderQuota quota = quota("", "60/min");
        quota.tryAdmit(4);
        assertThat(((Admission.Wait) quota.tryAdmit(1)).until()).isEqualTo(clock.instant().plusSeconds(2));
    }

    @Test
    void aRequestThatCanNeverFitIsClosedForGood() {
        Admission admission = quota("", "3/min").tryAdmit(4);
        assertThat(admission).isInstanceOf(Admission.Closed.class);
        assertThat(((Admission.Closed) admission).forever()).isTrue();
        assertThat(((Admission.Closed) admission).reason()).contains("4 images").contains("3/min (images)");
    }

    @Test
    void dayLimitClosesUntilMidnightPacificAndReopensThere() {
        clock.set(ZonedDateTime.of(2026, 3, 10, 10, 0, 0, 0, PACIFIC).toInstant());
        ProviderQuota quota = quota("3/day", "");
        for (int i = 0; i < 3; i++) {
            assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
        }
        Instant midnight = ZonedDateTime.of(2026, 3, 11, 0, 0, 0, 0, PACIFIC).toInstant();
        Admission closed = quota.tryAdmit(1);
        assertThat(closed).isInstanceOf(Admission.Closed.class);
        assertThat(((Admission.Closed) closed).until()).isEqualTo(midnight);
        assertThat(((Admission.Closed) closed).reason())
                .isEqualTo("per-day limit 3/day (requests) on aistudio is used up; it resets at 2026-03-11T00:00-07:00[America/Los_Angeles]");
        clock.set(midnight.minusMillis(1));
        assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Closed.class);
        clock.set(midnight);
        assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
    }

    @Test
    void dailyResetIsMidnightInTheZoneOnDstDaysToo() {
        // 8 March 2026: clocks spring forward, the day has 23 hours
        clock.set(ZonedDateTime.of(2026, 3, 8, 0, 0, 0, 0, PACIFIC).toInstant());
        ProviderQuota quota = quota("1/day", "");
        Instant springMidnight = clock.instant();
        assertThat(quota.nextDailyReset()).isEqualTo(Instant.parse("2026-03-09T07:00:00Z"));
        assertThat(Duration.between(springMidnight, quota.nextDailyReset())).isEqualTo(Duration.ofHours(23));
        // 1 November 2026: clocks fall back, the day has 25 hours
        clock.set(ZonedDateTime.of(2026, 11, 1, 0, 0, 0, 0, PACIFIC).toInstant());
        assertThat(quota.nextDailyReset()).isEqualTo(Instant.parse("2026-11-02T08:00:00Z"));
        assertThat(Duration.between(clock.instant(), quota.nextDailyReset())).isEqualTo(Duration.ofHours(25));
        // the counter follows: used at 23:30 PST on 1 Nov (25 h after that day's midnight), free at 00:00 PST
        clock.set(ZonedDateTime.of(2026, 11, 1, 23, 30, 0, 0, PACIFIC).toInstant());
        assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
        assertThat(quota.tryAdmit(1)).isEqualTo(new Admission.Closed(Instant.parse("2026-11-02T08:00:00Z"),
                "per-day limit 1/day (requests) on aistudio is used up; it resets at 2026-11-02T00:00-08:00[America/Los_Angeles]"));
        clock.set(Instant.parse("2026-11-02T08:00:00Z"));
        assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
    }

    @Test
    void perMinuteThrottlePausesTheWholeProviderUntilTheStatedTime() {
        ProviderQuota quota = quota("", "");
        quota.tryAdmit(1);
        ThrottleSignal signal = new ThrottleSignal(ThrottleKind.PER_MINUTE, secondsOf(17.482913), false, "q", null, "s");
        quota.onThrottled(signal);
        Admission admission = quota.tryAdmit(1);
        assertThat(admission).isInstanceOf(Admission.Wait.class);
        Admission.Wait wait = (Admission.Wait) admission;
        Instant stated = clock.instant().plus(secondsOf(17.482913)).plusMillis(50);
        assertThat(wait.until()).isBetween(stated, stated.plusMillis(250));
        assertThat(wait.reason()).startsWith("paused 18 s: per-minute request quota (server said retry in 18 s)");
        clock.set(wait.until().minusMillis(1));
        assertThat(quota.tryAdmit(1)).isEqualTo(wait);
        clock.set(wait.until());
        assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
    }

    @Test
    void pausesOnlyGrowAShorterLaterPauseDoesNotCutALongerOne() {
        ProviderQuota quota = quota("", "");
        quota.onThrottled(new ThrottleSignal(ThrottleKind.TOKENS_PER_MINUTE, Duration.ofSeconds(40), false, null, null, "s"));
        Instant longPause = ((Admission.Wait) quota.tryAdmit(1)).until();
        quota.onThrottled(new ThrottleSignal(ThrottleKind.TOKENS_PER_MINUTE, Duration.ofSeconds(5), false, null, null, "s"));
        assertThat(((Admission.Wait) quota.tryAdmit(1)).until()).isEqualTo(longPause);
    }

    @Test
    void perDayThrottleClosesUntilTheResetIgnoringTheShortDelayAndReopensAfter() {
        clock.set(ZonedDateTime.of(2026, 3, 10, 10, 0, 0, 0, PACIFIC).toInstant());
        ProviderQuota quota = quota("", "");
        quota.tryAdmit(1);
        quota.onThrottled(new ThrottleSignal(ThrottleKind.PER_DAY, Duration.ofSeconds(25), false,
                "GenerateRequestsPerDayPerProjectPerModel-FreeTier", 1500L, "429 per-day request quota exceeded"));
        Instant midnight = ZonedDateTime.of(2026, 3, 11, 0, 0, 0, 0, PACIFIC).toInstant();
        Admission admission = quota.tryAdmit(1);
        assertThat(admission).isInstanceOf(Admission.Closed.class);
        assertThat(((Admission.Closed) admission).until()).isEqualTo(midnight);
        assertThat(((Admission.Closed) admission).reason()).contains("per-day quota on aistudio exhausted").contains("resets at 2026-03-11T00:00-07:00");
        clock.advance(Duration.ofSeconds(30));
        assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Closed.class);
        assertThat(quota.snapshot().closedUntil()).isEqualTo(midnight);
        clock.set(midnight);
        assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
        assertThat(quota.snapshot().learnedLimits()).containsExactly(Limit.perCalendarDay(1500));
        quota.onThrottled(new ThrottleSignal(ThrottleKind.PER_DAY, null, false, "PerDay", 1000L, "s"));
        assertThat(quota.snapshot().learnedLimits()).as("the project's tier changed").containsExactly(Limit.perCalendarDay(1000));
    }

    @Test
    void aUsedUpDayClosesEvenWhileAPauseIsRunning() {
        ProviderQuota quota = quota("1/day", "");
        quota.tryAdmit(1);
        quota.onThrottled(new ThrottleSignal(ThrottleKind.PER_MINUTE, Duration.ofSeconds(10), false, "q", null, "s"));
        assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Closed.class);
    }

    @Test
    void aWaitCoversBothThePauseAndThePacing() {
        ProviderQuota quota = quota("1/min", "");
        quota.tryAdmit(1);
        quota.onThrottled(new ThrottleSignal(ThrottleKind.PER_MINUTE, Duration.ofSeconds(10), false, "q", null, "s"));
        assertThat(quota.tryAdmit(1)).isEqualTo(new Admission.Wait(clock.instant().plusMillis(60_650), "pacing under 1/min (requests)"));
    }

    @Test
    void learnedDayLimitStopsTheNextDayBeforeTheServerDoes() {
        clock.set(ZonedDateTime.of(2026, 3, 10, 10, 0, 0, 0, PACIFIC).toInstant());
        ProviderQuota quota = quota("", "");
        quota.onThrottled(new ThrottleSignal(ThrottleKind.PER_DAY, null, false, "PerDay", 2L, "s"));
        clock.set(ZonedDateTime.of(2026, 3, 11, 9, 0, 0, 0, PACIFIC).toInstant());
        assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
        assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
        assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Closed.class);
    }

    @Test
    void perDayThrottleRightAfterMidnightIsTakenForClockSkewAndOnlyPauses() {
        clock.set(ZonedDateTime.of(2026, 3, 11, 0, 2, 0, 0, PACIFIC).toInstant());
        ProviderQuota quota = quota("", "");
        quota.onThrottled(new ThrottleSignal(ThrottleKind.PER_DAY, Duration.ofSeconds(20), false, "PerDay", 1500L, "s"));
        Admission admission = quota.tryAdmit(1);
        assertThat(admission).isEqualTo(new Admission.Wait(clock.instant().plus(MINUTE),
                "paused 1 min: per-day quota still exhausted just after the daily reset (server clock may lag)"));
        clock.advance(MINUTE);
        assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
    }

    @Test
    void zeroQuotaClosesForGoodWithAConfigurationMessage() {
        ProviderQuota quota = quota("", "");
        quota.onThrottled(new ThrottleSignal(ThrottleKind.PER_DAY, Duration.ofSeconds(30), true,
                "GenerateRequestsPerDayPerProjectPerModel-FreeTier", 0L, "429 quota is 0 for this model"));
        clock.advance(Duration.ofDays(400));
        Admission admission = quota.tryAdmit(1);
        assertThat(admission).isInstanceOf(Admission.Closed.class);
        Admission.Closed closed = (Admission.Closed) admission;
        assertThat(closed.forever()).isTrue();
        assertThat(closed.reason()).contains("configuration problem").contains("enable billing").contains("another model");
    }

    @Test
    void closeUntilStopsAdmittingUntilThenAndNothingShortensAClose() {
        ProviderQuota quota = quota("", "");
        Instant until = clock.instant().plus(Duration.ofHours(1));
        quota.closeUntil(until, "API key rejected (HTTP 403)");
        assertThat(quota.tryAdmit(1)).isEqualTo(new Admission.Closed(until, "API key rejected (HTTP 403)"));
        quota.closeUntil(clock.instant().plusSeconds(5), "shorter");
        assertThat(quota.tryAdmit(1)).isEqualTo(new Admission.Closed(until, "API key rejected (HTTP 403)"));
        assertThat(quota.snapshot().reason()).isEqualTo("API key rejected (HTTP 403)");
        clock.set(until);
        assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
        assertThat(quota.snapshot().closed()).isFalse();
    }

    @Test
    void aSporadicServerErrorCostsOnlyItsItemAndNeverPausesTheProvider() {
        ProviderQuota quota = quota("", "");
        for (int i = 0; i < 100; i++) {
            assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
            if (i % 5 == 0) {
                quota.onTransientFailure();
            } else {
                quota.onSuccess();
            }
            clock.advance(Duration.ofMillis(10));
        }
        assertThat(quota.overloaded()).as("one failure in five").isFalse();
        assertThat(quota.pausedTime()).isZero();
        assertThat(quota.snapshot().transientFailures()).isEqualTo(20);
    }

    @Test
    void anOverloadedProviderIsHeldToProbesUntilItAnswersAgain() {
        ProviderQuota quota = quota("", "");
        for (int i = 0; i < 5; i++) {
            assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
        }
        for (int i = 0; i < 3; i++) {
            quota.onTransientFailure();
        }
        assertThat(quota.overloaded()).as("three in a row").isFalse();
        quota.onTransientFailure();
        assertThat(quota.overloaded()).as("four in a row").isTrue();
        Admission.Wait halfRate = (Admission.Wait) quota.tryAdmit(1);
        assertThat(Duration.between(clock.instant(), halfRate.until())).as("half the 4 answers/s of the last second")
                .isBetween(secondsOf(0.4), secondsOf(0.6));
        assertThat(halfRate.reason()).contains("at most 2 requests/s");
        quota.onTransientFailure();
        Admission.Wait wait = (Admission.Wait) quota.tryAdmit(1);
        assertThat(Duration.between(clock.instant(), wait.until())).isBetween(secondsOf(0.8), secondsOf(1.2));
        assertThat(wait.reason()).contains("overloaded").contains("5 of its last 5 answers were server errors")
                .contains("probing once a second");
        clock.set(wait.until());
        assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
        quota.onSuccess();
        assertThat(quota.overloaded()).as("5 failures, 1 accept: still mostly failing").isTrue();
        assertThat(quota.pausedTime()).as("held back, not paused").isZero();
    }

    @Test
    void bareThrottlesBackOffExponentiallyAndHalveTheAdaptiveRate() {
        ProviderQuota quota = quota("", "");
        ThrottleSignal bare = ThrottleClassifier.classify(
                "{\"error\":{\"code\":429,\"message\":\"Resource has been exhausted (e.g. check quota).\",\"status\":\"RESOURCE_EXHAUSTED\"}}",
                name -> null, clock.instant());
        // one request a second for 90 s: observed 1 request/s
        for (int i = 0; i < 90; i++) {
            clock.advance(Duration.ofSeconds(1));
            assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
        }
        quota.onThrottled(bare);
        assertThat(quota.snapshot().adaptiveRequestsPerMinute()).isCloseTo(30.0, within(0.01));
        QuotaSnapshot paused = quota.snapshot();
        assertThat(Duration.between(clock.instant(), paused.pausedUntil())).isBetween(secondsOf(1), secondsOf(1.25));
        assertThat(paused.reason()).contains("no wait stated").contains("1 in a row");
        Admission.Wait first = (Admission.Wait) quota.tryAdmit(1);
        assertThat(first.until()).as("the halved rate spaces requests 2 s apart, longer than the pause")
                .isEqualTo(clock.instant().plusSeconds(2));
        assertThat(first.reason()).isEqualTo("adaptive pacing at 30 requests/min after 429s without quota details");

        double[] backoffSeconds = {2, 4, 8, 16, 32, 60, 60};
        for (double backoff : backoffSeconds) {
            clock.set(((Admission.Wait) quota.tryAdmit(1)).until());
            assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
            double rateBefore = quota.snapshot().adaptiveRequestsPerMinute();
            quota.onThrottled(bare);
            assertThat(quota.snapshot().adaptiveRequestsPerMinute()).isLessThanOrEqualTo(Math.max(1.0, rateBefore / 2));
            assertThat(Duration.between(clock.instant(), quota.snapshot().pausedUntil()))
                    .isBetween(secondsOf(backoff), secondsOf(backoff * 1.25));
        }
        assertThat(quota.snapshot().adaptiveRequestsPerMinute()).as("floor of one request a minute").isEqualTo(1.0);
    }

    @Test
    void throttlesFromOneOverloadCountOnce() {
        ProviderQuota quota = quota("", "");
        for (int i = 0; i < 4; i++) {
            quota.tryAdmit(1);
        }
        clock.advance(Duration.ofSeconds(2));
        ThrottleSignal bare = new ThrottleSignal(ThrottleKind.UNKNOWN, null, false, null, null, "bare");
        for (int i = 0; i < 4; i++) {
            quota.onThrottled(bare);
        }
        Admission.Wait wait = (Admission.Wait) quota.tryAdmit(1);
        assertThat(Duration.between(clock.instant(), wait.until())).as("one event: first backoff step")
                .isBetween(secondsOf(1), secondsOf(1.25));
        assertThat(quota.snapshot().adaptiveRequestsPerMinute()).isCloseTo(60.0, within(0.01));
        assertThat(quota.snapshot().throttled()).isEqualTo(4);
    }

    @Test
    void successesRaiseTheAdaptiveRateAdditivelyBackToWhereItWas() {
        ProviderQuota quota = quota("", "");
        for (int i = 0; i < 90; i++) {
            clock.advance(Duration.ofSeconds(1));
            quota.tryAdmit(1);
        }
        quota.onThrottled(new ThrottleSignal(ThrottleKind.UNKNOWN, null, false, null, null, "bare"));
        assertThat(quota.snapshot().adaptiveRequestsPerMinute()).isCloseTo(30.0, within(0.01));
        for (int i = 0; i < 10; i++) {
            quota.onSuccess();
        }
        assertThat(quota.snapshot().adaptiveRequestsPerMinute()).as("each success adds 60/50 per minute")
                .isCloseTo(42.0, within(0.01));
        for (int i = 0; i < 100; i++) {
            quota.onSuccess();
        }
        assertThat(quota.snapshot().adaptiveRequestsPerMinute()).as("capped at twice the observed rate")
                .isCloseTo(120.0, within(0.01));
    }

    @Test
    void throttleWithAStatedDelayButNoLimitHonoursTheDelayAndLowersTheRate() {
        ProviderQuota quota = quota("", "");
        for (int i = 0; i < 45; i++) {
            clock.advance(Duration.ofSeconds(2));
            quota.tryAdmit(1);
        }
        quota.onThrottled(ThrottleClassifier.classify(
                "{\"error\":{\"code\":429,\"message\":\"Rate limit exceeded\",\"metadata\":{\"retry_after_seconds\":29}}}",
                name -> null, clock.instant()));
        Admission.Wait wait = (Admission.Wait) quota.tryAdmit(1);
        assertThat(Duration.between(clock.instant(), wait.until())).isEqualTo(Duration.ofMillis(29_050));
        assertThat(quota.snapshot().adaptiveRequestsPerMinute()).isCloseTo(15.0, within(0.01));
    }

    @Test
    void perMinuteThrottleWithALimitTeachesTheRealWindow() {
        ProviderQuota quota = quota("", "");
        Instant start = clock.instant();
        for (int i = 0; i < 10; i++) {
            assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
            clock.advance(Duration.ofSeconds(1));
        }
        // the 11th is refused: the server's window of 6 s admits again when the first ages out
        assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
        Duration retryAfter = Duration.between(clock.instant(), start.plus(Duration.ofSeconds(16)));
        quota.onThrottled(new ThrottleSignal(ThrottleKind.PER_MINUTE, retryAfter, false,
                "GenerateRequestsPerMinutePerProjectPerModel-FreeTier", 10L, "s"));
        assertThat(quota.snapshot().learnedLimits()).containsExactly(Limit.sliding(10, Duration.ofSeconds(16)));
        assertThat(quota.snapshot().adaptiveRequestsPerMinute()).as("learning replaces AIMD").isNull();
        assertThat(quota.snapshot().windows()).singleElement()
                .extracting(QuotaSnapshot.WindowUsage::used).as("the refused request is not counted").isEqualTo(10L);
    }

    @Test
    void aThrottledTicketIsMeasuredAgainstTheAdmissionsSentBeforeItNotThoseStillInFlightAfterIt() {
        ProviderQuota quota = quota("", "");
        Instant start = clock.instant();
        for (int i = 0; i < 10; i++) {
            assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
            clock.advance(Duration.ofMillis(100));
        }
        // the 11th, 12th and 13th leave 100 ms apart; the server (10 per 6 s) refuses the 11th first
        long eleventh = ((Admission.Granted) quota.tryAdmit(1)).ticket();
        clock.advance(Duration.ofMillis(100));
        quota.tryAdmit(1);
        clock.advance(Duration.ofMillis(100));
        quota.tryAdmit(1);
        clock.advance(Duration.ofMillis(50));
        Duration retryAfter = Duration.between(clock.instant(), start.plus(Duration.ofSeconds(6)));
        quota.onThrottled(new ThrottleSignal(ThrottleKind.PER_MINUTE, retryAfter, false, "q", 10L, "s"), eleventh);
        assertThat(quota.snapshot().learnedLimits()).as("the first admission ages out of the server's window at 6 s")
                .containsExactly(Limit.sliding(10, Duration.ofSeconds(6)));

        ProviderQuota guessing = quota("", "");
        clock.set(start.plus(Duration.ofHours(2)));
        Instant second = clock.instant();
        for (int i = 0; i < 13; i++) {
            guessing.tryAdmit(1);
            clock.advance(Duration.ofMillis(i < 12 ? 100 : 50));
        }
        guessing.onThrottled(new ThrottleSignal(ThrottleKind.PER_MINUTE,
                Duration.between(clock.instant(), second.plus(Duration.ofSeconds(6))), false, "q", 10L, "s"));
        assertThat(guessing.snapshot().learnedLimits()).as("without the ticket the two sent after it count: 0.2 s short")
                .containsExactly(Limit.sliding(10, Duration.ofMillis(5800)));
    }

    @Test
    void aWindowIsLearnedFromWhenTheFirstCallWasSentNotFromItsAnswer() {
        ProviderQuota quota = quota("", "");
        Instant sent = clock.instant();
        long first = ((Admission.Granted) quota.tryAdmit(1)).ticket();
        quota.countFromNow(first);
        clock.advance(Duration.ofMillis(300));
        // a cold process's first call is counted from its answer (it reached the server some time before)
        quota.countFromNow(first);
        long refused = 0;
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofMillis(10));
            refused = ((Admission.Granted) quota.tryAdmit(1)).ticket();
            quota.countFromNow(refused);
        }
        clock.advance(Duration.ofMillis(20));
        Duration retryAfter = Duration.between(clock.instant(), sent.plus(Duration.ofSeconds(6)));
        quota.onThrottled(new ThrottleSignal(ThrottleKind.PER_MINUTE, retryAfter, false, "q", 10L, "s"), refused);
        assertThat(quota.snapshot().learnedLimits()).as("from the answer it would be 5.7 s, a 429 in every window")
                .containsExactly(Limit.sliding(10, Duration.ofSeconds(6)));
    }

    @Test
    void learnedWindowOnlyGrowsForTheSameLimit() {
        ProviderQuota quota = quota("", "");
        for (int i = 0; i < 8; i++) {
            quota.tryAdmit(1);
        }
        quota.onThrottled(new ThrottleSignal(ThrottleKind.PER_MINUTE, Duration.ofSeconds(30), false, "q", 5L, "s"));
        assertThat(quota.snapshot().learnedLimits()).containsExactly(Limit.sliding(5, Duration.ofSeconds(30)));
        quota.onThrottled(new ThrottleSignal(ThrottleKind.PER_MINUTE, Duration.ofSeconds(10), false, "q", 5L, "s"));
        assertThat(quota.snapshot().learnedLimits()).as("a shorter estimate is not believed")
                .containsExactly(Limit.sliding(5, Duration.ofSeconds(30)));
        quota.onThrottled(new ThrottleSignal(ThrottleKind.PER_MINUTE, Duration.ofSeconds(40), false, "q", 5L, "s"));
        assertThat(quota.snapshot().learnedLimits()).as("a longer one is")
                .containsExactly(Limit.sliding(5, Duration.ofSeconds(40)));
        quota.onThrottled(new ThrottleSignal(ThrottleKind.PER_MINUTE, Duration.ofSeconds(50), false, "q", 5L, "s"));
        assertThat(quota.snapshot().learnedLimits()).as("too little history left to estimate: keep what was learned")
                .containsExactly(Limit.sliding(5, Duration.ofSeconds(40)));
        quota.onThrottled(new ThrottleSignal(ThrottleKind.PER_MINUTE, Duration.ofSeconds(50), false, "q", 3L, "s"));
        assertThat(quota.snapshot().learnedLimits()).as("a new limit value replaces the old")
                .containsExactly(Limit.sliding(3, Duration.ofSeconds(50)));
    }

    @Test
    void imagesPerMinuteThrottleTeachesAnImageLimit() {
        ProviderQuota quota = quota("", "");
        for (int i = 0; i < 4; i++) {
            quota.tryAdmit(2);
            clock.advance(Duration.ofSeconds(1));
        }
        quota.tryAdmit(2);
        quota.onThrottled(new ThrottleSignal(ThrottleKind.IMAGES_PER_MINUTE, Duration.ofSeconds(56), false,
                "GenerateContentOutputImagesPerMinutePerProjectPerModel-FreeTier", 8L, "s"));
        assertThat(quota.snapshot().windows()).singleElement().satisfies(window -> {
            assertThat(window.unit()).isEqualTo("images");
            assertThat(window.limit()).isEqualTo(Limit.sliding(8, Duration.ofSeconds(60)));
            assertThat(window.learned()).isTrue();
            assertThat(window.used()).isEqualTo(8);
        });
    }

    @Test
    void withoutEnoughHistoryNothingIsLearnedAndTheRateAdaptsInstead() {
        ProviderQuota quota = quota("", "");
        for (int i = 0; i < 3; i++) {
            quota.tryAdmit(1);
        }
        quota.onThrottled(new ThrottleSignal(ThrottleKind.PER_MINUTE, Duration.ofSeconds(3), false, "q", 10L, "s"));
        assertThat(quota.snapshot().learnedLimits()).isEmpty();
        assertThat(quota.snapshot().adaptiveRequestsPerMinute()).isNotNull();
        Admission.Wait wait = (Admission.Wait) quota.tryAdmit(1);
        assertThat(wait.until()).isBetween(clock.instant().plusMillis(3_050), clock.instant().plusMillis(3_350));
    }

    @Test
    void legacyPerMinuteLimitWithoutAWaitIsTakenAsAMinute() {
        ProviderQuota quota = quota("", "");
        for (int i = 0; i < 11; i++) {
            quota.tryAdmit(1);
        }
        quota.onThrottled(ThrottleClassifier.classify("""
                {"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED",
                  "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"RATE_LIMIT_EXCEEDED",
                    "metadata":{"quota_limit":"GenerateContentRequestsPerMinutePerProjectPerRegion","quota_limit_value":"10"}}]}}""",
                name -> null, clock.instant()));
        assertThat(quota.snapshot().learnedLimits()).containsExactly(Limit.sliding(10, MINUTE));
        assertThat(Duration.between(clock.instant(), quota.snapshot().pausedUntil())).as("first backoff step, no wait was stated")
                .isBetween(Duration.ofSeconds(1), Duration.ofMillis(1_250));
        assertThat(quota.tryAdmit(1)).as("the learned window holds longer than the pause")
                .isEqualTo(new Admission.Wait(clock.instant().plusMillis(60_650), "pacing under learned limit 10/min (requests)"));
    }

    @Test
    void snapshotShowsPauseReasonCountsAndUsage() {
        ProviderQuota quota = quota("10/min,1500/day", "10/min");
        quota.tryAdmit(1);
        quota.onThrottled(new ThrottleSignal(ThrottleKind.TOKENS_PER_MINUTE, Duration.ofSeconds(10), false, "tpm", null, "s"));
        QuotaSnapshot snapshot = quota.snapshot();
        assertThat(snapshot.provider()).isEqualTo("aistudio");
        assertThat(snapshot.at()).isEqualTo(clock.instant());
        assertThat(snapshot.paused()).isTrue();
        assertThat(snapshot.closed()).isFalse();
        assertThat(snapshot.reason()).isEqualTo("paused 11 s: per-minute token quota (server said retry in 10 s)");
        assertThat(snapshot.admitted()).isEqualTo(1);
        assertThat(snapshot.throttled()).isEqualTo(1);
        assertThat(snapshot.windows()).extracting(QuotaSnapshot.WindowUsage::unit, QuotaSnapshot.WindowUsage::limit,
                        QuotaSnapshot.WindowUsage::used)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("requests", Limit.sliding(10, MINUTE), 1L),
                        org.assertj.core.groups.Tuple.tuple("requests", Limit.perCalendarDay(1500), 1L),
                        org.assertj.core.groups.Tuple.tuple("images", Limit.sliding(10, MINUTE), 1L));
        assertThat(snapshot.windows().get(0).nextRelease()).isEqualTo(clock.instant().plusMillis(60_650));
        assertThat(snapshot.windows().get(1).nextRelease()).isEqualTo(quota.nextDailyReset());
        clock.advance(Duration.ofSeconds(11));
        assertThat(quota.snapshot().paused()).isFalse();
        assertThat(quota.snapshot().reason()).isNull();
    }

    @Test
    void anAdmissionCountsFromWhenItWasSentNotFromWhenItWasAdmitted() {
        ProviderQuota quota = quota("1/10s", "");
        Instant admittedAt = clock.instant();
        long ticket = ((Admission.Granted) quota.tryAdmit(1)).ticket();
        clock.advance(Duration.ofSeconds(4));
        Instant sentAt = clock.instant();
        quota.countFromNow(ticket);
        quota.countFromNow(ticket + 100);

        clock.set(admittedAt.plusSeconds(11));
        Admission admission = quota.tryAdmit(1);
        assertThat(admission).isInstanceOf(Admission.Wait.class);
        // window 10 s + margin 50 ms + 1% of the period, counted from the sending
        assertThat(((Admission.Wait) admission).until()).isEqualTo(sentAt.plusSeconds(10).plusMillis(150));
        clock.set(sentAt.plusSeconds(10).plusMillis(150));
        assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
    }

    @Test
    void countingFromNowOnlyEverMovesAnAdmissionLater() {
        ProviderQuota quota = quota("1/10s", "");
        long ticket = ((Admission.Granted) quota.tryAdmit(1)).ticket();
        clock.advance(Duration.ofSeconds(2));
        quota.countFromNow(ticket);
        clock.advance(Duration.ofSeconds(3));
        Instant answeredAt = clock.instant();
        quota.countFromNow(ticket);
        Admission admission = quota.tryAdmit(1);
        assertThat(((Admission.Wait) admission).until()).isEqualTo(answeredAt.plusSeconds(10).plusMillis(150));
    }

    @Test
    void ticketsAreDistinctAndSpacingCountsFromTheAdmissionSoASlowSendDoesNotStretchThePace() {
        ProviderQuota quota = quota("10/10s", "");
        Instant admittedAt = clock.instant();
        long first = ((Admission.Granted) quota.tryAdmit(1)).ticket();
        clock.advance(Duration.ofMillis(300));
        quota.countFromNow(first);
        Admission next = quota.tryAdmit(1);
        assertThat(next).isInstanceOf(Admission.Wait.class);
        assertThat(((Admission.Wait) next).until()).as("spacing 0.5 s counted from the admission, not the sending")
                .isEqualTo(admittedAt.plusMillis(500));
        clock.set(admittedAt.plusMillis(500));
        long second = ((Admission.Granted) quota.tryAdmit(1)).ticket();
        assertThat(second).isNotEqualTo(first);
    }

    @Test
    void pausedTimeAddsUpEveryPauseUpToNow() {
        ProviderQuota quota = quota("", "");
        Instant start = clock.instant();
        assertThat(quota.pausedTime()).isZero();
        quota.tryAdmit(1);
        quota.onThrottled(new ThrottleSignal(ThrottleKind.PER_MINUTE, Duration.ofSeconds(10), false, "q", null, "s"));
        Duration firstPause = Duration.between(start, quota.snapshot().pausedUntil());
        clock.advance(Duration.ofSeconds(4));
        assertThat(quota.pausedTime()).isEqualTo(Duration.ofSeconds(4));
        clock.advance(Duration.ofSeconds(20));
        assertThat(quota.pausedTime()).isEqualTo(firstPause);
        assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);

        Instant second = clock.instant();
        quota.onThrottled(new ThrottleSignal(ThrottleKind.PER_MINUTE, Duration.ofSeconds(5), false, "q", null, "s"));
        Duration secondPause = Duration.between(second, quota.snapshot().pausedUntil());
        clock.advance(Duration.ofMinutes(5));
        assertThat(quota.pausedTime()).isEqualTo(firstPause.plus(secondPause));
    }
}
