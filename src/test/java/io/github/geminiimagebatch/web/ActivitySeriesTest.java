package io.github.geminiimagebatch.web;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ActivitySeriesTest {

    private static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");

    @Test
    void imagesAnd429sLandInTheirBucketPerProviderWithEveryKindOnEveryProvider() {
        ActivitySeries series = new ActivitySeries(T0, Duration.ofSeconds(10), 100);
        series.provider("idle");
        series.image("sim", T0.plusSeconds(1));
        series.image("sim", T0.plusSeconds(9));
        series.throttle("sim", "per_minute", T0.plusSeconds(12));
        series.image("sim", T0.plusSeconds(25));
        series.throttle("other", "per_day", T0.plusSeconds(21));

        ActivitySeries.Snapshot s = series.snapshot(T0.plusSeconds(29));

        assertThat(s.start()).isEqualTo(T0);
        assertThat(s.buckets()).isEqualTo(3);
        assertThat(s.providers().keySet()).containsExactly("idle", "other", "sim");
        assertThat(s.providers().get("sim").images()).containsExactly(2L, 0L, 1L);
        assertThat(s.providers().get("sim").throttles()).isEqualTo(Map.of(
                "per_day", List.of(0L, 0L, 0L), "per_minute", List.of(0L, 1L, 0L)));
        assertThat(s.providers().get("other").throttles().get("per_day")).containsExactly(0L, 0L, 1L);
        assertThat(s.providers().get("idle").images()).containsExactly(0L, 0L, 0L);
    }

    @Test
    void onlyTheLastBucketsAreKeptAndShown() {
        ActivitySeries series = new ActivitySeries(T0, Duration.ofSeconds(10), 3);
        for (int second = 0; second < 60; second += 5) {
            series.image("sim", T0.plusSeconds(second));
        }
        ActivitySeries.Snapshot s = series.snapshot(T0.plusSeconds(59));
        assertThat(s.buckets()).isEqualTo(3);
        assertThat(s.start()).isEqualTo(T0.plusSeconds(30));
        assertThat(s.providers().get("sim").images()).containsExactly(2L, 2L, 2L);

        ActivitySeries.Snapshot later = series.snapshot(T0.plusSeconds(75));
        assertThat(later.start()).isEqualTo(T0.plusSeconds(50));
        assertThat(later.providers().get("sim").images()).containsExactly(2L, 0L, 0L);
    }

    @Test
    void anEventALittleLateCountsInTheNewestBucketAndNothingBeforeTheOriginIsLost() {
        ActivitySeries series = new ActivitySeries(T0, Duration.ofSeconds(10), 10);
        series.image("sim", T0.plusSeconds(15));
        series.image("sim", T0.plusSeconds(9));
        series.image("sim", T0.minusSeconds(3));
        assertThat(series.snapshot(T0.plusSeconds(15)).providers().get("sim").images()).containsExactly(0L, 3L);
    }

    @Test
    void aBucketMustHaveAWidth() {
        assertThatThrownBy(() -> new ActivitySeries(T0, Duration.ZERO, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ActivitySeries(T0, Duration.ofSeconds(1), 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
