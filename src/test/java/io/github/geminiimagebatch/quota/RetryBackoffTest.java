package io.github.geminiimagebatch.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {

    @Test
    void doublesFromAQuarterSecondUpToThirtySecondsEachDrawnBetweenHalfAndAllOfIt() {
        RetryBackoff backoff = new RetryBackoff(new Random(3));
        long[] ceilingsMillis = {250, 500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000};
        for (int failures = 1; failures <= ceilingsMillis.length; failures++) {
            long ceiling = ceilingsMillis[failures - 1];
            Duration shortest = Duration.ofDays(1);
            Duration longest = Duration.ZERO;
            for (int i = 0; i < 1000; i++) {
                Duration wait = backoff.after(failures);
                assertThat(wait).isBetween(Duration.ofMillis(ceiling / 2), Duration.ofMillis(ceiling));
                shortest = wait.compareTo(shortest) < 0 ? wait : shortest;
                longest = wait.compareTo(longest) > 0 ? wait : longest;
            }
            assertThat(longest.minus(shortest)).as("spread over the range after %d failures", failures)
                    .isGreaterThan(Duration.ofMillis(ceiling * 4 / 10));
        }
        assertThat(backoff.after(1000)).isLessThanOrEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void countsFromTheFirstFailure() {
        assertThatThrownBy(() -> new RetryBackoff(new Random()).after(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
