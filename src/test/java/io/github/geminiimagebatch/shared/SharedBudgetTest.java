package io.github.geminiimagebatch.shared;

import io.github.geminiimagebatch.provider.Budget;
import io.github.geminiimagebatch.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;

/** imagegen.budget.maxUsdPerDay counts what every instance spent, through a real redis-server. */
class SharedBudgetTest {

    private static final ZoneId PACIFIC = ZoneId.of("America/Los_Angeles");

    @TempDir
    Path tmp;

    @Test
    void theDailyBudgetCountsWhatTheOtherInstancesSpent() throws Exception {
        try (RedisServer server = RedisServer.start(tmp);
             SharedRedis a = SharedRedis.connect(server.url(), "a", Clock.systemUTC());
             SharedRedis b = SharedRedis.connect(server.url(), "b", Clock.systemUTC())) {
            Budget budgetA = new Budget(null, 1.0, PACIFIC, Clock.systemUTC()).sharedWith(new RedisSpend(a));
            Budget budgetB = new Budget(null, 1.0, PACIFIC, Clock.systemUTC()).sharedWith(new RedisSpend(b));

            assertThat(budgetA.reserve(0.6).refused()).isFalse();
            budgetA.settle(0.6, 0.6);

            Budget.Decision second = budgetB.reserve(0.5);
            assertThat(second.refused()).as("0.6 spent by a + 0.5 > 1.0").isTrue();
            assertThat(second.message()).contains("daily budget");
            assertThat(budgetB.reserve(0.4).refused()).isFalse();
            assertThat(budgetB.spentToday()).isEqualTo(0.6);

            server.stop();
            budgetA.settle(0, 0.1);
            assertThat(budgetA.spentToday()).as("its own figure while Redis is down").isEqualTo(0.7, org.assertj.core.data.Offset.offset(1e-9));
        }
    }
}
