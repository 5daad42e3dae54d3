package io.github.geminiimagebatch.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuotaPlannerTest {

    private static final ZoneId PACIFIC = ZoneId.of("America/Los_Angeles");
    private static final ZonedDateTime TEN_AM = ZonedDateTime.of(2026, 3, 10, 10, 0, 0, 0, PACIFIC);

    private static List<Limit> limits(String spec) {
        return Limits.parse(spec, "limits");
    }

    @Test
    void fiveThousandAtSixtyAMinuteTakesEightyThreeMinutes() {
        Duration time = QuotaPlanner.timeNeeded(limits("60/min"), List.of(), 5000, 1, TEN_AM);
        assertThat(time).isEqualTo(Duration.ofSeconds(5000));
        assertThat(time.toMinutes()).isEqualTo(83);
    }

    @Test
    void threeThousandAtTenAMinuteAndFifteenHundredADayWaitsForOneReset() {
        QuotaPlan plan = QuotaPlanner.plan(limits("10/min,1500/day"), List.of(), 3000, 1, TEN_AM);
        // day 1: 1500 x 6 s = 10:00-12:30; wait for midnight; day 2: 00:00-02:30
        assertThat(plan.finish()).isEqualTo(ZonedDateTime.of(2026, 3, 11, 2, 30, 0, 0, PACIFIC));
        assertThat(plan.timeNeeded()).isEqualTo(Duration.ofMinutes(16 * 60 + 30));
        assertThat(plan.dailyResetsWaited()).isEqualTo(1);
        assertThat(plan.dailyResetsCrossed()).isEqualTo(1);
    }

    @Test
    void fortyFiveHundredNeedsTwoResets() {
        QuotaPlan plan = QuotaPlanner.plan(limits("10/min,1500/day"), List.of(), 4500, 1, TEN_AM);
        assertThat(plan.finish()).isEqualTo(ZonedDateTime.of(2026, 3, 12, 2, 30, 0, 0, PACIFIC));
        assertThat(plan.dailyResetsWaited()).isEqualTo(2);
    }

    @Test
    void threeThousandAtFifteenHundredADayWithoutARateLimitStartsTheSecondHalfAtMidnight() {
        QuotaPlan plan = QuotaPlanner.plan(limits("1500/day"), List.of(), 3000, 1, TEN_AM);
        assertThat(plan.finish()).isEqualTo(ZonedDateTime.of(2026, 3, 11, 0, 0, 0, 0, PACIFIC));
        assertThat(plan.dailyResetsWaited()).isEqualTo(1);
    }

    @Test
    void daysFollowTheZoneAcrossDst() {
        // 7 March 22:00 PST; 8 March has 23 hours
        ZonedDateTime start = ZonedDateTime.of(2026, 3, 7, 22, 0, 0, 0, PACIFIC);
        QuotaPlan plan = QuotaPlanner.plan(limits("1/h,2/day"), List.of(), 5, 1, start);
        // 7th: 22:00, 23:00; 8th: 00:00, 01:00; 9th: 00:00 -> last slot ends 01:00 on the 9th
        assertThat(plan.finish()).isEqualTo(ZonedDateTime.of(2026, 3, 9, 1, 0, 0, 0, PACIFIC));
        assertThat(plan.timeNeeded()).isEqualTo(Duration.ofHours(26));
        assertThat(plan.dailyResetsWaited()).isEqualTo(1);
        assertThat(plan.dailyResetsCrossed()).isEqualTo(2);
    }

    @Test
    void paceLimitedDaysRunOverMidnightWithoutWaiting() {
        ZonedDateTime lateEvening = ZonedDateTime.of(2026, 3, 10, 23, 0, 0, 0, PACIFIC);
        QuotaPlan plan = QuotaPlanner.plan(limits("10/min,1500/day"), List.of(), 1200, 1, lateEvening);
        // 600 before midnight, 600 after: no wait, two hours of pacing
        assertThat(plan.timeNeeded()).isEqualTo(Duration.ofHours(2));
        assertThat(plan.dailyResetsWaited()).isZero();
        assertThat(plan.dailyResetsCrossed()).isEqualTo(1);
    }

    @Test
    void dayLimitCountsWhatWasSentBeforeMidnight() {
        ZonedDateTime lateEvening = ZonedDateTime.of(2026, 3, 10, 23, 0, 0, 0, PACIFIC);
        QuotaPlan plan = QuotaPlanner.plan(limits("10/min,1000/day"), List.of(), 2600, 1, lateEvening);
        // 600 tonight; 1000 on the 11th (00:00-01:40), wait; 1000 on the 12th -> ends 01:40 on the 12th
        assertThat(plan.finish()).isEqualTo(ZonedDateTime.of(2026, 3, 12, 1, 40, 0, 0, PACIFIC));
        assertThat(plan.dailyResetsWaited()).isEqualTo(1);
    }

    @Test
    void imageLimitsScaleWithImagesPerRequest() {
        assertThat(QuotaPlanner.timeNeeded(limits("100/min"), limits("10/min"), 30, 2, TEN_AM))
                .isEqualTo(Duration.ofMinutes(6));
        QuotaPlan plan = QuotaPlanner.plan(List.of(), limits("100/day"), 100, 4, TEN_AM);
        assertThat(plan.dailyResetsWaited()).as("25 requests of 4 images a day").isEqualTo(3);
    }

    @Test
    void theStrictestSlidingLimitSetsThePace() {
        assertThat(QuotaPlanner.timeNeeded(limits("10/6s,60/min,100/2h"), List.of(), 200, 1, TEN_AM))
                .isEqualTo(Duration.ofHours(4));
    }

    @Test
    void nothingToDoOrNoLimitsTakesNoTime() {
        assertThat(QuotaPlanner.timeNeeded(limits("10/min"), List.of(), 0, 1, TEN_AM)).isZero();
        assertThat(QuotaPlanner.timeNeeded(List.of(), List.of(), 1_000_000, 1, TEN_AM)).isZero();
    }

    @Test
    void aRequestThatCanNeverFitIsAnError() {
        assertThatThrownBy(() -> QuotaPlanner.timeNeeded(List.of(), limits("3/min"), 10, 4, TEN_AM))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4 images").hasMessageContaining("3/min");
    }

    @Test
    void largeBatchesAreFast() {
        QuotaPlan plan = QuotaPlanner.plan(limits("10/min,1500/day"), List.of(), 1_000_000, 1, TEN_AM);
        assertThat(plan.dailyResetsWaited()).isEqualTo(666);
    }
}
