package io.github.geminiimagebatch.simulator;

import io.github.geminiimagebatch.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

import static org.assertj.core.api.Assertions.assertThat;

class QuotaLedgerTest {

    private static final String MODEL = "gemini-2.5-flash-image";
    private static final long NONE = QuotaLimits.UNLIMITED;
    private static final ZoneId PACIFIC = ZoneId.of("America/Los_Angeles");
    private static final Duration MINUTE = Duration.ofSeconds(60);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-02T10:00:00Z"));

    private QuotaLedger ledger(long rpm, long rpd, long ipm, Duration day) {
        return new QuotaLedger(new QuotaLimits(rpm, rpd, ipm, MINUTE, day, PACIFIC), clock);
    }

    @Test
    void slidingMinuteAdmitsExactlyTheLimitThenNamesTheWaitUntilTheOldestLeaves() {
        QuotaLedger ledger = ledger(3, NONE, NONE, null);
        assertThat(ledger.tryAdmit(MODEL, 1).admitted()).isTrue();
        clock.advance(Duration.ofMillis(10_500));
        assertThat(ledger.tryAdmit(MODEL, 1).admitted()).isTrue();
        clock.advance(Duration.ofSeconds(20));
        assertThat(ledger.tryAdmit(MODEL, 1).admitted()).isTrue();

        clock.advance(Duration.ofMillis(12_017));
        QuotaLedger.Admission rejected = ledger.tryAdmit(MODEL, 1);

        assertThat(rejected.admitted()).isFalse();
        assertThat(rejected.violations()).singleElement().satisfies(violation -> {
            assertThat(violation.kind()).isEqualTo(QuotaKind.REQUESTS_PER_MINUTE);
            assertThat(violation.limit()).isEqualTo(3);
        });
        // first admission at 0 s leaves the window at 60 s; now is 42.517 s
        assertThat(rejected.retryDelay()).isEqualTo(Duration.ofMillis(17_483));
    }

    @Test
    void requestIsAdmittedExactlyWhenTheOldestAdmissionLeavesTheWindow() {
        QuotaLedger ledger = ledger(1, NONE, NONE, null);
        assertThat(ledger.tryAdmit(MODEL, 1).admitted()).isTrue();
        clock.advance(MINUTE.minusNanos(1));
        assertThat(ledger.tryAdmit(MODEL, 1).retryDelay()).isEqualTo(Duration.ofNanos(1));
        clock.advance(Duration.ofNanos(1));
        assertThat(ledger.tryAdmit(MODEL, 1).admitted()).isTrue();
    }

    @Test
    void rejectedRequestsConsumeNothing() {
        QuotaLedger ledger = ledger(2, NONE, NONE, null);
        ledger.tryAdmit(MODEL, 1);
        ledger.tryAdmit(MODEL, 1);
        for (int i = 0; i < 50; i++) {
            clock.advance(Duration.ofMillis(100));
            assertThat(ledger.tryAdmit(MODEL, 1).admitted()).isFalse();
        }
        clock.set(Instant.parse("2026-03-02T10:01:00Z"));
        assertThat(ledger.tryAdmit(MODEL, 1).admitted()).isTrue();
        assertThat(ledger.tryAdmit(MODEL, 1).admitted()).isTrue();
        assertThat(ledger.tryAdmit(MODEL, 1).admitted()).isFalse();
    }

    @Test
    void slidingWindowNeverAdmitsMoreThanTheLimitInAnyWindow() {
        QuotaLedger ledger = ledger(5, NONE, NONE, null);
        java.util.ArrayDeque<Instant> admitted = new java.util.ArrayDeque<>();
        for (int step = 0; step < 2_000; step++) {
            clock.advance(Duration.ofMillis(700 + (step * 7919L) % 9_000));
            Instant now = clock.instant();
            while (!admitted.isEmpty() && !admitted.peekFirst().plus(MINUTE).isAfter(now)) {
                admitted.removeFirst();
            }
            QuotaLedger.Admission admission = ledger.tryAdmit(MODEL, 1);
            assertThat(admission.admitted()).isEqualTo(admitted.size() < 5);
            if (admission.admitted()) {
                admitted.addLast(now);
            } else {
                assertThat(admission.retryDelay()).isEqualTo(Duration.between(now, admitted.peekFirst().plus(MINUTE)));
            }
        }
    }

    @Test
    void modelsHaveTheirOwnWindows() {
        QuotaLedger ledger = ledger(1, NONE, NONE, null);
        assertThat(ledger.tryAdmit(MODEL, 1).admitted()).isTrue();
        assertThat(ledger.tryAdmit("gemini-3-pro-image", 1).admitted()).isTrue();
        assertThat(ledger.tryAdmit(MODEL, 1).admitted()).isFalse();
    }

    @Test
    void imagesPerMinuteCountsImagesAndWaitsUntilEnoughHaveLeft() {
        QuotaLedger ledger = ledger(NONE, NONE, 3, null);
        assertThat(ledger.tryAdmit(MODEL, 2).admitted()).isTrue();
        clock.advance(Duration.ofSeconds(5));
        assertThat(ledger.tryAdmit(MODEL, 1).admitted()).isTrue();
        clock.advance(Duration.ofSeconds(5));
        QuotaLedger.Admission twoMore = ledger.tryAdmit(MODEL, 2);
        assertThat(twoMore.violations()).singleElement().satisfies(violation -> {
            assertThat(violation.kind()).isEqualTo(QuotaKind.IMAGES_PER_MINUTE);
            assertThat(violation.limit()).isEqualTo(3);
        });
        // the first request's 2 images leave at 60 s, which frees room for 2; now is 10 s
        assertThat(twoMore.retryDelay()).isEqualTo(Duration.ofSeconds(50));
    }

    @Test
    void requestLargerThanTheLimitWaitsAWholeWindow() {
        QuotaLedger ledger = ledger(0, NONE, NONE, null);
        QuotaLedger.Admission admission = ledger.tryAdmit(MODEL, 1);
        assertThat(admission.violations()).singleElement().extracting(QuotaLedger.Violation::limit).isEqualTo(0L);
        assertThat(admission.retryDelay()).isEqualTo(MINUTE);
    }

    @Test
    void fixedDayWindowsStartAtLedgerStartAndResetOnTheGrid() {
        QuotaLedger ledger = ledger(NONE, 2, NONE, Duration.ofMinutes(10));
        clock.advance(Duration.ofMinutes(3));
        assertThat(ledger.tryAdmit(MODEL, 1).admitted()).isTrue();
        assertThat(ledger.tryAdmit(MODEL, 1).admitted()).isTrue();
        QuotaLedger.Admission rejected = ledger.tryAdmit(MODEL, 1);
        assertThat(rejected.violations()).singleElement().extracting(QuotaLedger.Violation::kind).isEqualTo(QuotaKind.REQUESTS_PER_DAY);
        assertThat(rejected.retryDelay()).isEqualTo(Duration.ofMinutes(7));

        clock.advance(Duration.ofMinutes(7));
        assertThat(ledger.tryAdmit(MODEL, 1).admitted()).isTrue();
        clock.advance(Duration.ofMinutes(19));
        assertThat(ledger.tryAdmit(MODEL, 1).admitted()).as("third window starts at 20 min").isTrue();
        assertThat(ledger.tryAdmit(MODEL, 1).admitted()).isTrue();
        assertThat(ledger.tryAdmit(MODEL, 1).retryDelay()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void calendarDayEndsAtMidnightInTheResetZone() {
        clock.set(ZonedDateTime.of(2026, 3, 2, 23, 59, 30, 0, PACIFIC).toInstant());
        QuotaLedger ledger = ledger(NONE, 1, NONE, null);
        assertThat(ledger.tryAdmit(MODEL, 1).admitted()).isTrue();
        assertThat(ledger.tryAdmit(MODEL, 1).retryDelay()).isEqualTo(Duration.ofSeconds(30));
        clock.advance(Duration.ofSeconds(30));
        assertThat(ledger.tryAdmit(MODEL, 1).admitted()).isTrue();
        assertThat(ledger.tryAdmit(MODEL, 1).retryDelay()).isEqualTo(Duration.ofHours(24));
        assertThat(ledger.snapshot().get(MODEL).get(QuotaKind.REQUESTS_PER_DAY).resetsAt())
                .isEqualTo(Instant.parse("2026-03-04T08:00:00Z"));
    }

    @Test
    void dayBeforeSpringForwardIsTwentyThreeHoursLong() {
        clock.set(ZonedDateTime.of(2026, 3, 8, 0, 0, 0, 0, PACIFIC).toInstant());
        QuotaLedger ledger = ledger(NONE, 1, NONE, null);
        ledger.tryAdmit(MODEL, 1);
        assertThat(ledger.tryAdmit(MODEL, 1).retryDelay()).isEqualTo(Duration.ofHours(23));
    }

    @Test
    void dayOfFallBackIsTwentyFiveHoursLong() {
        clock.set(ZonedDateTime.of(2026, 11, 1, 0, 0, 0, 0, PACIFIC).toInstant());
        QuotaLedger ledger = ledger(NONE, 1, NONE, null);
        ledger.tryAdmit(MODEL, 1);
        assertThat(ledger.tryAdmit(MODEL, 1).retryDelay()).isEqualTo(Duration.ofHours(25));
        clock.advance(Duration.ofHours(25));
        assertThat(ledger.tryAdmit(MODEL, 1).admitted()).isTrue();
    }

    @Test
    void allExceededQuotasAreListedPerMinuteFirstAndTheWaitIsTheLongest() {
        QuotaLedger ledger = ledger(1, 1, 1, Duration.ofMinutes(30));
        ledger.tryAdmit(MODEL, 1);
        clock.advance(Duration.ofSeconds(15));
        QuotaLedger.Admission admission = ledger.tryAdmit(MODEL, 1);
        assertThat(admission.violations()).extracting(QuotaLedger.Violation::kind)
                .containsExactly(QuotaKind.REQUESTS_PER_MINUTE, QuotaKind.IMAGES_PER_MINUTE, QuotaKind.REQUESTS_PER_DAY);
        assertThat(admission.violations()).extracting(QuotaLedger.Violation::retryDelay)
                .containsExactly(Duration.ofSeconds(45), Duration.ofSeconds(45), Duration.ofSeconds(1785));
        assertThat(admission.retryDelay()).isEqualTo(Duration.ofSeconds(1785));
    }

    @Test
    void unlimitedQuotasNeverReject() {
        QuotaLedger ledger = ledger(NONE, NONE, NONE, null);
        for (int i = 0; i < 10_000; i++) {
            assertThat(ledger.tryAdmit(MODEL, 1).admitted()).isTrue();
        }
    }

    @Test
    void resetEmptiesEveryWindowAndSnapshotShowsUsage() {
        QuotaLedger ledger = ledger(2, 5, 4, null);
        ledger.tryAdmit(MODEL, 1);
        ledger.tryAdmit(MODEL, 1);
        assertThat(ledger.snapshot().get(MODEL).get(QuotaKind.REQUESTS_PER_MINUTE))
                .isEqualTo(new QuotaLedger.WindowState(2, 2, null));
        assertThat(ledger.snapshot().get(MODEL).get(QuotaKind.IMAGES_PER_MINUTE).used()).isEqualTo(2);
        assertThat(ledger.snapshot().get(MODEL).get(QuotaKind.REQUESTS_PER_DAY).used()).isEqualTo(2);
        clock.advance(MINUTE);
        assertThat(ledger.snapshot().get(MODEL).get(QuotaKind.REQUESTS_PER_MINUTE).used()).isZero();
        assertThat(ledger.snapshot().get(MODEL).get(QuotaKind.REQUESTS_PER_DAY).used()).isEqualTo(2);
        ledger.reset();
        assertThat(ledger.snapshot()).isEmpty();
        assertThat(ledger.tryAdmit(MODEL, 1).admitted()).isTrue();
    }
}
