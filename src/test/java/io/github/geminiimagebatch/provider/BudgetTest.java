package io.github.geminiimagebatch.provider;

import io.github.geminiimagebatch.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BudgetTest {

    private static final ZoneId LA = ZoneId.of("America/Los_Angeles");

    @TempDir
    Path state;

    // 2026-03-10T07:30Z is 00:30 in Los Angeles (PDT): a fresh quota day
    private final MutableClock clock = MutableClock.at("2026-03-10T07:30:00Z");

    @Test
    void runBudgetAdmitsExactlyWhatFitsCountingRequestsInFlight() {
        Budget budget = new Budget(0.15, null, LA, clock);

        assertThat(budget.reserve(0.05).refused()).isFalse();
        assertThat(budget.reserve(0.05).refused()).isFalse();
        assertThat(budget.reserve(0.05).refused()).isFalse();
        Budget.Decision fourth = budget.reserve(0.05);

        assertThat(fourth.refused()).isTrue();
        assertThat(fourth.message()).contains("imagegen.budget.maxUsd=0.15");
        assertThat(fourth.renewsAt()).as("a run budget never renews by itself").isNull();
    }

    @Test
    void aFailedCallFreesItsReservation() {
        Budget budget = new Budget(0.10, null, LA, clock);
        budget.reserve(0.05);
        budget.reserve(0.05);
        budget.settle(0.05, 0.0);

        assertThat(budget.reserve(0.05).refused()).isFalse();
        assertThat(budget.spent()).isZero();
    }

    @Test
    void dailySpendIsWrittenAndReadBackByTheNextRunOfTheSameDay() throws IOException {
        Budget first = Budget.persistent(null, 0.10, LA, clock, state);
        first.reserve(0.05);
        first.settle(0.05, 0.05);
        first.reserve(0.05);
        first.settle(0.05, 0.05);

        Path file = Budget.spendFile(state, LocalDate.of(2026, 3, 10));
        assertThat(Files.readString(file)).contains("\"spentUsd\" : 0.1").contains("America/Los_Angeles");
        Budget second = Budget.persistent(null, 0.10, LA, clock, state);

        assertThat(second.spentToday()).isCloseTo(0.10, within(1e-12));
        assertThat(second.reserve(0.01).refused()).isTrue();
        assertThat(second.reserve(0.01).message()).contains("maxUsdPerDay=0.10").contains("2026-03-10");
        assertThat(second.reserve(0.01).renewsAt()).isEqualTo(java.time.Instant.parse("2026-03-11T07:00:00Z"));
    }

    @Test
    void theDailyBudgetRenewsAtMidnightInTheResetZoneNotUtc() throws IOException {
        Budget budget = Budget.persistent(null, 0.05, LA, clock, state);
        budget.reserve(0.05);
        budget.settle(0.05, 0.05);
        assertThat(budget.reserve(0.05).refused()).isTrue();

        clock.advance(Duration.ofHours(16)); // 23:30Z: a new UTC day, still 16:30 on the 10th in LA
        assertThat(budget.reserve(0.05).refused()).isTrue();

        clock.advance(Duration.ofHours(8)); // 00:30 on the 11th in LA
        assertThat(budget.reserve(0.05).refused()).isFalse();
        assertThat(budget.spentToday()).isZero();
    }

    @Test
    void theRunBudgetIsPerRunWhileTheDailyOneIsNot() throws IOException {
        Budget first = Budget.persistent(0.05, 1.0, LA, clock, state);
        first.reserve(0.05);
        first.settle(0.05, 0.05);
        assertThat(first.reserve(0.05).refused()).isTrue();

        Budget second = Budget.persistent(0.05, 1.0, LA, clock, state);

        assertThat(second.reserve(0.05).refused()).isFalse();
        assertThat(second.spentToday()).isCloseTo(0.05, within(1e-12));
    }

    @Test
    void anUnreadableSpendRecordStopsTheRunInsteadOfForgettingTheSpend() throws IOException {
        Files.writeString(Budget.spendFile(state, LocalDate.of(2026, 3, 10)), "{ not json");

        assertThatThrownBy(() -> Budget.persistent(null, 1.0, LA, clock, state))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("spend-2026-03-10.json")
                .hasMessageContaining("maxUsdPerDay cannot be enforced");
    }
}
